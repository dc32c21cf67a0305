"""A SMART app built on the npm ``fhirclient`` (tests/smart_js, pinned), served from node_modules by a
tiny loopback static server (no CDN): ``/launch.html`` starts ``FHIR.oauth2.authorize``; ``/app.html``
completes ``FHIR.oauth2.ready()``, reads, is refused, refreshes, revokes, and leaves what it saw in
``window.smartResult``."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

CLIENT_BUNDLE = Path(__file__).parents[1] / "smart_js" / "node_modules" / "fhirclient" / "build" / "fhir-client.js"

LAUNCH_HTML = """<!doctype html><html><head><script src="/fhir-client.js"></script></head><body><script>
const params = new URLSearchParams(location.search);
FHIR.oauth2.authorize({
  clientId: params.get("client_id"),
  iss: params.get("iss"),
  scope: "launch/patient openid fhirUser offline_access patient/Patient.rs patient/Observation.rs",
  redirectUri: "/app.html",
  pkceMode: "required",
});
</script></body></html>"""

APP_HTML = """<!doctype html><html><head><script src="/fhir-client.js"></script></head><body><script>
const form = (fields) => ({
  method: "POST",
  headers: {"content-type": "application/x-www-form-urlencoded"},
  body: new URLSearchParams(fields),
});
const status = async (url, token) => (await fetch(url, {headers: {Authorization: "Bearer " + token}})).status;
FHIR.oauth2.ready().then(async (client) => {
  const out = {};
  const iss = client.state.serverUrl;
  out.patient = client.patient.id;
  out.fhirUser = client.getFhirUser();
  out.observations = ((await client.request("Observation?_count=2")).entry || []).length;
  try { await client.request("Condition?_count=1"); out.condition = 200; }
  catch (e) { out.condition = e.status || e.statusCode; }
  const before = client.state.tokenResponse;
  await client.refresh();
  const after = client.state.tokenResponse;
  out.rotated = after.refresh_token !== before.refresh_token && after.access_token !== before.access_token;
  out.oldRefresh = (await fetch(client.state.tokenUri, form({
    grant_type: "refresh_token", refresh_token: before.refresh_token, client_id: client.state.clientId,
  }))).status;
  out.afterRefresh = await status(iss + "/Observation?_count=1", after.access_token);
  out.conditionRaw = await status(iss + "/Condition?_count=1", after.access_token);
  const config = await (await fetch(iss + "/.well-known/smart-configuration")).json();
  out.revoke = (await fetch(config.revocation_endpoint, form({
    token: after.refresh_token, client_id: client.state.clientId,
  }))).status;
  out.afterRevoke = await status(iss + "/Observation?_count=1", after.access_token);
  window.smartResult = out;
}).catch((e) => { window.smartResult = {error: String(e)}; });
</script></body></html>"""


def js_app() -> Starlette:
    assert CLIENT_BUNDLE.is_file(), "run `make node` (npm ci --prefix tests/smart_js) first"
    bundle = CLIENT_BUNDLE.read_bytes()

    async def script(request: Request) -> Response:
        return Response(bundle, media_type="text/javascript")

    async def launch(request: Request) -> Response:
        return HTMLResponse(LAUNCH_HTML)

    async def app_page(request: Request) -> Response:
        return HTMLResponse(APP_HTML)

    return Starlette(
        routes=[
            Route("/fhir-client.js", script),
            Route("/launch.html", launch),
            Route("/app.html", app_page),
        ]
    )
