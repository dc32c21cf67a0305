from types import ModuleType

import pytest

import gateway.facade
import gateway.search
import gateway.store


@pytest.mark.parametrize("module", [gateway.search, gateway.store, gateway.facade])
def test_all_lists_exactly_the_public_names(module: ModuleType) -> None:
    public = {
        name
        for name, value in vars(module).items()
        if not name.startswith("_") and not isinstance(value, ModuleType) and name != "annotations"
    }
    assert set(module.__all__) == public
    assert len(module.__all__) == len(set(module.__all__))
