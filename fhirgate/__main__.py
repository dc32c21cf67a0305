from fhirgate.cli import main

main()
