#!/usr/bin/env python3
"""Writes an Account Console export of N users (default 100 000) for the import benchmark:
one connection, N users (two thirds of them the connection's), 10 groups, one membership each."""
import json
import sys

count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
out = sys.stdout
write = lambda record: out.write(json.dumps(record, separators=(",", ":")) + "\n")
base = 1_700_000_000_000_000
connection = "00000000-0000-4000-a000-000000000001"
write({"type": "header", "format": "account-console-export", "version": 1})
write({"type": "connection", "id": connection, "name": "Bench Okta", "kind": "okta", "onDeactivate": "suspend",
       "onDelete": "delete", "orphanRule": "delete", "deletionGuard": 50, "createdAt": base})
for index in range(count):
    user = {"type": "user", "id": "00000000-0000-4000-8000-%012d" % index, "createdAt": base + index,
            "updatedAt": base + index,
            "resource": {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                         "userName": "user%d@example.test" % index, "externalId": "ext-%d" % index,
                         "name": {"givenName": "Given%d" % index, "familyName": "Family%d" % index},
                         "displayName": "User %d" % index,
                         "emails": [{"value": "user%d@example.test" % index, "type": "work", "primary": True}],
                         "active": True}}
    if index % 3:
        user.update({"origin": "idp", "connectionId": connection})
    else:
        user["origin"] = "local"
    write(user)
for group in range(10):
    write({"type": "group", "id": "00000000-0000-4000-9000-%012d" % group, "origin": "local", "createdAt": base,
           "updatedAt": base, "resource": {"displayName": "Group %d" % group}})
for index in range(count):
    write({"type": "membership", "groupId": "00000000-0000-4000-9000-%012d" % (index % 10),
           "userId": "00000000-0000-4000-8000-%012d" % index, "source": "manual", "createdAt": base})
