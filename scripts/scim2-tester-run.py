#!/usr/bin/env python3
"""Run the scim2-tester conformance checks against a live SCIM 2.0 server.

Usage: python scripts/scim2-tester-run.py BASE_URL TOKEN [--verbose]

  BASE_URL  the SCIM root, e.g. http://127.0.0.1:8081/scim/v2
  TOKEN     bearer token sent as "Authorization: Bearer TOKEN"
  --verbose also print each check's reason when it passed or was skipped

Every check scim2-tester offers is run (no tag or resource-type filter): the
server is discovered through /ServiceProviderConfig, /ResourceTypes and
/Schemas, then every published resource type goes through create, read,
list, attributes/excludedAttributes, /.search, PUT, DELETE and PATCH
add/replace/remove checks.

Prints one line per check result, then
    scim2-tester: N passed, M failed, K skipped
Exit status: 0 if M == 0, 1 if any check failed, 2 on a usage error or when
the server cannot be reached.

Requirements: pip install -r scripts/requirements-conformance.txt
"""

import sys

try:
    import httpx2
    from scim2_client.engines.httpx2 import SyncSCIMClient
    from scim2_tester import Status, check_server
except ImportError as exc:
    print(
        f"scim2-tester: {exc}; install it with "
        "'pip install -r scripts/requirements-conformance.txt'",
        file=sys.stderr,
    )
    sys.exit(2)

USAGE = "usage: python scripts/scim2-tester-run.py BASE_URL TOKEN [--verbose]"
FAILED = {Status.ERROR, Status.CRITICAL}
SKIPPED = {Status.SKIPPED}
# scim2-tester 0.5.2 only reports SUCCESS, ERROR and SKIPPED; the other
# statuses (COMPLIANT, ACCEPTABLE, DEVIATION) are not violations of a MUST.


def parse_args(argv):
    args = [a for a in argv if a != "--verbose"]
    verbose = len(args) != len(argv)
    if len(args) != 2 or any(a.startswith("-") for a in args):
        return None
    base_url, token = args
    if not base_url.startswith(("http://", "https://")) or not token:
        return None
    return base_url.rstrip("/"), token, verbose


def one_line(text):
    return " ".join(str(text).split())


def main(argv):
    parsed = parse_args(argv)
    if parsed is None:
        print(USAGE, file=sys.stderr)
        return 2
    base_url, token, verbose = parsed

    http = httpx2.Client(
        base_url=base_url,
        headers={"Authorization": f"Bearer {token}"},
        timeout=30.0,
    )

    # Reach the server once before running the checks, so that a server that
    # is down is reported as such instead of as dozens of failed checks.
    try:
        http.get("/ServiceProviderConfig")
    except httpx2.RequestError as exc:
        print(
            f"scim2-tester: cannot reach SCIM server at {base_url}: {exc}",
            file=sys.stderr,
        )
        return 2

    # No provider is given to the client: check_server discovers it itself.
    client = SyncSCIMClient(http)
    results = check_server(client, raise_exceptions=False)

    passed = failed = skipped = 0
    for result in results:
        if result.status in FAILED:
            failed += 1
        elif result.status in SKIPPED:
            skipped += 1
        else:
            passed += 1

        label = result.title or "?"
        if result.resource_type:
            label = f"{label} [{result.resource_type}]"
        if isinstance(result.data, dict) and "urn" in result.data:
            label = f"{label} {result.data['urn']}"  # the PATCH checks' attribute
        line = f"{result.status.name:<8} {label}"
        if result.reason and (result.status in FAILED or verbose):
            line += f": {one_line(result.reason)}"
        print(line)

    http.close()
    print(f"scim2-tester: {passed} passed, {failed} failed, {skipped} skipped")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
