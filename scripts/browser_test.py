#!/usr/bin/env python3
"""Real-browser test of the admin console against a live server.

Usage:
    browser_test.py BASE_URL ADMIN_PASSWORD SCREENSHOT_DIR SAML_IDP_URL OIDC_ISSUER OIDC_SECRET_FILE
    browser_test.py --self-check

BASE_URL is the server's root, e.g. http://127.0.0.1:8080. The server has the account
`admin` with ADMIN_PASSWORD (no forced change) and an otherwise empty directory.

Drives Debian's headless Chromium through Selenium the way an administrator would: sign in,
create an Okta connection and a token, provision users and a group over SCIM with that token
(urllib), then check what the console shows (origin, membership sources, timeline), output
escaping, the CSV export, a viewer's read-only pages and a forged POST, the activity pages,
and axe-core (light and dark) on every page visited. Screenshots (light, dark, phone width)
of every audited page go to SCREENSHOT_DIR. Prints each step; exits 1 on the first failure.

SAML_IDP_URL is a test SAML identity provider (scripts/saml_idp.py) that signs everyone in as
ada@example.com: the last step configures SAML on the connection from its metadata, gives the
group Engineers (which the IdP provisioned ada into) the viewer role, and signs ada in through
the IdP.

OIDC_ISSUER is a test OpenID Connect provider (scripts/oidc_idp.py, client `account-console`
with its secret in OIDC_SECRET_FILE) that signs everyone in as mallory@example.com: the step
after SAML sets OpenID Connect on the connection and signs mallory in through it (a viewer
through the manual membership in Engineers).

--self-check only starts the browser, renders a data: URL and runs axe on it (used by
scripts/browser-setup.sh to prove the stack works).

Needs selenium and axe-selenium-python (scripts/requirements-browser.txt), whose package
ships axe-core; this script injects that file itself and calls axe.run.
"""

import base64
import csv
import io
import json
import os
import re
import shutil
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import axe_selenium_python
from selenium import webdriver
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

AXE_JS = os.path.join(
    os.path.dirname(axe_selenium_python.__file__), "node_modules", "axe-core", "axe.min.js"
)
SCIM_PATH = "/api/v1/identity/scim/v2"
SCIM_JSON = "application/scim+json"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
XSS_DISPLAY = "<script>window.__xss=1</script>Mallory"
XSS_GIVEN = "<img src=x onerror=window.__xss=2>"
VIEWER_PASSWORD = "viewer-password-123"
WAIT = 10  # seconds for any one page condition
DESKTOP = (1280, 900)
PHONE = (390, 844)


class Failure(Exception):
    pass


STEP = [0]


def step(name):
    STEP[0] += 1
    print(f"\n--- {STEP[0]}. {name}", flush=True)


def info(message):
    print(f"    {message}", flush=True)


def check(condition, message):
    if not condition:
        raise Failure(message)


class Run:
    """State shared by the steps."""

    def __init__(self, base, password, shots):
        self.base = base.rstrip("/")
        self.password = password
        self.shots = shots
        self.driver = None
        self.token = None
        self.connection_id = None
        self.ids = {}  # userName -> SCIM id
        self.group_id = None
        self.audited = []


# ---------------------------------------------------------------- browser helpers


def start_browser():
    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu",
                f"--window-size={DESKTOP[0]},{DESKTOP[1]}"):
        options.add_argument(arg)
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium")
    chromedriver = os.environ.get("CHROMEDRIVER") or shutil.which("chromedriver")
    check(chromium and chromedriver,
          "chromium and chromedriver must be on PATH (scripts/browser-setup.sh installs them)")
    options.binary_location = chromium
    # An explicit driver path: Selenium Manager never runs, so nothing is downloaded.
    driver = webdriver.Chrome(options=options, service=Service(executable_path=chromedriver))
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(60)
    driver.set_window_size(*DESKTOP)
    return driver


def path_of(driver):
    return urllib.parse.urlsplit(driver.current_url).path


def wait_for(driver, condition, what):
    try:
        return WebDriverWait(driver, WAIT).until(condition)
    except TimeoutException:
        raise Failure(f"timed out after {WAIT} s waiting for {what}") from None


def find(driver_or_element, css, what=None):
    found = driver_or_element.find_elements(By.CSS_SELECTOR, css)
    check(found, f"no element matches {css!r}" + (f" ({what})" if what else ""))
    return found[0]


def wait_css(driver, css):
    return wait_for(driver, EC.presence_of_element_located((By.CSS_SELECTOR, css)), css)


def settle(driver):
    wait_for(driver, lambda d: d.execute_script("return document.readyState") == "complete",
             "the page to finish loading")


def open_page(run, path, expect_css=None):
    run.driver.get(run.base + path)
    settle(run.driver)
    check(path_of(run.driver) == urllib.parse.urlsplit(path).path,
          f"GET {path} ended at {run.driver.current_url}")
    if expect_css:
        wait_css(run.driver, expect_css)


def submit(driver, form):
    """Clicks the form's submit button and waits for the next page to load.

    The old page is marked with a window property; the next document does not have it. (Waiting
    for the old <html> element to go stale races with Chromium detaching it: "Node with given id
    does not belong to the document".)"""
    driver.execute_script("window.__leaving = true")
    find(form, "button[type=submit], input[type=submit]", "the form's submit button").click()

    def arrived(d):
        try:
            return d.execute_script("return window.__leaving !== true && document.readyState === 'complete'")
        except WebDriverException:
            return False  # between documents

    wait_for(driver, arrived, "the page after submitting the form")


def fill(form, name, value):
    field = find(form, f"[name={name!r}]", f"field {name}")
    field.clear()
    field.send_keys(value)


def choose(form, name, value):
    Select(find(form, f"select[name={name!r}]", f"select {name}")).select_by_value(value)


def h1_text(driver):
    return find(driver, "h1", "the page heading").text


def body_text(driver):
    return driver.find_element(By.TAG_NAME, "body").text


def row_for(container, attribute, value):
    rows = container.find_elements(By.CSS_SELECTOR, f"tr[{attribute}='{value}']")
    return rows[0] if rows else None


# ---------------------------------------------------------------- axe and screenshots


def run_axe(driver):
    with open(AXE_JS, encoding="utf8") as f:
        driver.execute_script(f.read())
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document).then("
        " r => done({violations: r.violations.map(v => ({id: v.id, impact: v.impact,"
        "   help: v.help, targets: v.nodes.map(n => n.target.join(' '))}))}),"
        " e => done({error: String(e)}));"
    )
    check("error" not in result, f"axe.run failed: {result.get('error')}")
    return result["violations"]


def set_dark(driver, dark):
    value = "dark" if dark else ""
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia",
                           {"features": [{"name": "prefers-color-scheme", "value": value}]})
    if dark:
        check(driver.execute_script("return matchMedia('(prefers-color-scheme: dark)').matches"),
              "dark mode emulation did not take effect")
    time.sleep(0.2)  # let any colour transitions finish


def set_phone(driver, phone):
    if phone:
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": PHONE[0], "height": PHONE[1], "deviceScaleFactor": 1,
                                "mobile": True})
    else:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    time.sleep(0.2)


def screenshot(run, name):
    """A full-page PNG, tables scrolled back to their start (a click may have scrolled one)."""
    run.driver.execute_script(
        "document.querySelectorAll('.table-wrap').forEach(e => { e.scrollLeft = 0; });"
        "window.scrollTo(0, 0);")
    shot = run.driver.execute_cdp_cmd("Page.captureScreenshot",
                                      {"format": "png", "captureBeyondViewport": True})
    path = os.path.join(run.shots, f"{name}.png")
    with open(path, "wb") as f:
        f.write(base64.b64decode(shot["data"]))
    return path


def audit(run, name):
    """axe-core in light and dark; screenshots NAME.png, NAME-dark.png and NAME-phone.png."""
    driver = run.driver
    failing = []
    try:
        for mode in ("light", "dark"):
            set_dark(driver, mode == "dark")
            violations = run_axe(driver)
            for v in violations:
                bad = v["impact"] in ("serious", "critical")
                info(f"axe {mode}: {v['id']} ({v['impact']}) {v['help']}: "
                     f"{', '.join(v['targets'][:3])}" + ("  <-- FAILS" if bad else ""))
                if bad:
                    failing.append(f"{mode}: {v['id']}")
            screenshot(run, name if mode == "light" else f"{name}-dark")
        set_dark(driver, False)
        set_phone(driver, True)
        screenshot(run, f"{name}-phone")
        overflow = driver.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        check(overflow <= 0, f"at {PHONE[0]} px {name} scrolls sideways by {overflow} px")
    finally:
        set_dark(driver, False)
        set_phone(driver, False)
    run.audited.append(path_of(driver))
    check(not failing, f"axe-core: serious or critical violations on {name} "
                       f"({path_of(driver)}): {', '.join(failing)}")
    info(f"axe clean (light, dark); screenshots {name}.png, {name}-dark.png, {name}-phone.png")


# ---------------------------------------------------------------- SCIM and HTTP


def scim(run, method, path, body=None):
    request = urllib.request.Request(
        run.base + SCIM_PATH + path, method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {run.token}", "Content-Type": SCIM_JSON,
                 "Accept": SCIM_JSON})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    try:
        payload = json.loads(raw) if raw else None
    except ValueError:
        payload = raw.decode(errors="replace")
    return status, payload


def expect_scim(run, method, path, body, statuses):
    status, payload = scim(run, method, path, body)
    check(status in statuses,
          f"SCIM {method} {path}: expected {' or '.join(map(str, statuses))}, got {status}: "
          f"{json.dumps(payload)[:500] if payload is not None else ''}")
    info(f"SCIM {method} {path} -> {status}")
    return payload


def session_cookie_header(driver):
    return "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())


# ---------------------------------------------------------------- steps


def login(run, user, password):
    driver = run.driver
    open_page(run, "/login", "form#login-form")
    form = find(driver, "form#login-form")
    fill(form, "userName", user)
    fill(form, "password", password)
    submit(driver, find(driver, "form#login-form"))
    check(path_of(driver) != "/login",
          f"signing in as {user} stayed on /login: {body_text(driver)[:300]!r}")


def step_login(run):
    step("sign in as admin; land on /users")
    open_page(run, "/login", "form#login-form")
    audit(run, "login")
    login(run, "admin", run.password)
    check(path_of(run.driver) == "/users", f"after signing in: at {run.driver.current_url}")
    check("Users" in h1_text(run.driver), f"/users h1 is {h1_text(run.driver)!r}")


def step_connection(run):
    step("create the Okta connection okta-test")
    driver = run.driver
    open_page(run, "/connections", "form#new-connection")
    form = find(driver, "form#new-connection")
    fill(form, "name", "okta-test")
    choose(form, "kind", "okta")
    submit(driver, find(driver, "form#new-connection"))
    match = re.fullmatch(r"/connections/([^/]+)", path_of(driver))
    check(match, f"after creating the connection: at {driver.current_url}")
    run.connection_id = match.group(1)
    scim_url = find(driver, "#scim-url").text.strip()
    check(scim_url.endswith(SCIM_PATH), f"#scim-url is {scim_url!r}")
    info(f"connection {run.connection_id}; SCIM base URL {scim_url}")


def step_token(run):
    step("create a token on the connection page; read it once")
    driver = run.driver
    form = find(driver, "form#new-token")
    fill(form, "name", "okta")
    submit(driver, find(driver, "form#new-token"))
    run.token = find(driver, "#new-token-value", "the one-time token").text.strip()
    check(run.token, "#new-token-value is empty")
    info(f"token of {len(run.token)} characters")
    open_page(run, f"/connections/{run.connection_id}", "#scim-url")
    check(run.token not in driver.page_source, "the token is shown again on a later GET")
    # The Test button: Okta's connector check against the server itself, with the pasted token.
    form = find(driver, "form#connector-check")
    fill(form, "token", run.token)
    submit(driver, find(driver, "form#connector-check"))
    steps = find(driver, "ol#check-steps", "the connector check's steps").find_elements(By.CSS_SELECTOR, "li")
    failed = [s.text for s in steps if "failed" in (s.get_attribute("class") or "")]
    check(steps and not failed, f"the connector check failed: {failed!r}")
    check(run.token not in driver.page_source, "the connector check echoes the token")
    info(f"connector check: {len(steps)} steps passed")
    audit(run, "connection")
    open_page(run, "/connections")
    check("okta-test" in body_text(driver), "/connections does not list okta-test")
    audit(run, "connections")


def user_body(user_name, given, family, display):
    return {"schemas": [USER_SCHEMA], "userName": user_name,
            "name": {"givenName": given, "familyName": family}, "displayName": display,
            "emails": [{"value": user_name, "primary": True}], "active": True}


def step_provision(run):
    step("provision users and the group over SCIM with the token")
    people = [("ada@example.com", "Ada", "Lovelace", "Ada Lovelace"),
              ("grace@example.com", "Grace", "Hopper", "Grace Hopper"),
              ("mallory@example.com", XSS_GIVEN, "Mallory", XSS_DISPLAY)]
    for user_name, given, family, display in people:
        created = expect_scim(run, "POST", "/Users", user_body(user_name, given, family, display),
                              (201,))
        check(isinstance(created, dict) and created.get("id"), f"no id for {user_name}")
        run.ids[user_name] = created["id"]
    group = expect_scim(run, "POST", "/Groups",
                        {"schemas": [GROUP_SCHEMA], "displayName": "Engineers",
                         "members": [{"value": run.ids["ada@example.com"]}]}, (201,))
    run.group_id = group["id"]
    expect_scim(run, "PATCH", f"/Groups/{run.group_id}",
                {"schemas": [PATCH_SCHEMA],
                 "Operations": [{"op": "add", "path": "members",
                                 "value": [{"value": run.ids["grace@example.com"],
                                            "display": "grace@example.com"}]}]}, (200, 204))
    info(f"users {run.ids}; group {run.group_id}")


def step_users(run):
    step("/users shows the IdP origin")
    driver = run.driver
    open_page(run, "/users", "table#users-table")
    table = find(driver, "table#users-table")
    for user_name in ("ada@example.com", "grace@example.com"):
        row = row_for(table, "data-user-id", run.ids[user_name])
        check(row, f"table#users-table has no tr[data-user-id={run.ids[user_name]}] ({user_name})")
        cell = find(row, "td.col-username").text.strip()
        check(cell == user_name, f"td.col-username for {user_name} reads {cell!r}")
        origin = find(row, "td.col-origin").text
        check("IDP" in origin.upper() and "okta-test" in origin,
              f"td.col-origin for {user_name} reads {origin!r}")
        info(f"{user_name}: origin {origin!r}")
    audit(run, "users")


def member_rows(driver):
    table = find(driver, "table#members")
    return {row.get_attribute("data-user-id"): row
            for row in table.find_elements(By.CSS_SELECTOR, "tr[data-user-id]")}


def check_source(rows, user_name, user_id, kind, connection=None):
    row = rows.get(user_id)
    check(row is not None, f"table#members has no row for {user_name} ({user_id})")
    check(row.find_elements(By.CSS_SELECTOR, ".source"), f"{user_name}'s row has no .source badge")
    badges = row.find_elements(By.CSS_SELECTOR, f".source.{kind}")
    check(badges, f"{user_name}'s row has no .source.{kind} badge")
    if connection:
        check(any(connection in b.text for b in badges),
              f"{user_name}'s .source.{kind} badges read {[b.text for b in badges]!r}")


def step_group(run):
    step("the group page shows IdP-sourced members")
    driver = run.driver
    open_page(run, "/groups", "table#groups-table")
    table = find(driver, "table#groups-table")
    row = row_for(table, "data-group-id", run.group_id)
    check(row, f"table#groups-table has no tr[data-group-id={run.group_id}]")
    link = find(row, "a", "the group's link")
    check("Engineers" in link.text, f"the group's link reads {link.text!r}")
    audit(run, "groups")
    row = row_for(find(driver, "table#groups-table"), "data-group-id", run.group_id)
    old = driver.find_element(By.TAG_NAME, "html")
    find(row, "a").click()
    wait_for(driver, EC.staleness_of(old), "the group page")
    settle(driver)
    check(path_of(driver) == f"/groups/{run.group_id}", f"the group link led to {driver.current_url}")
    rows = member_rows(driver)
    for user_name in ("ada@example.com", "grace@example.com"):
        check_source(rows, user_name, run.ids[user_name], "idp", "okta-test")
    info(f"{len(rows)} members, ada and grace from okta-test")


def step_manual_member(run):
    step("a manual member survives the IdP replacing the members")
    driver = run.driver
    mallory, ada, grace = (run.ids[u] for u in
                           ("mallory@example.com", "ada@example.com", "grace@example.com"))
    open_page(run, f"/groups/{run.group_id}", "form#add-member")
    form = find(driver, "form#add-member")
    fill(form, "userName", "mallory@example.com")
    submit(driver, find(driver, "form#add-member"))
    check(path_of(driver) == f"/groups/{run.group_id}",
          f"after adding a member: at {driver.current_url}")
    check_source(member_rows(driver), "mallory@example.com", mallory, "manual")
    expect_scim(run, "PUT", f"/Groups/{run.group_id}",
                {"schemas": [GROUP_SCHEMA], "id": run.group_id, "displayName": "Engineers",
                 "members": [{"value": ada}]}, (200,))
    open_page(run, f"/groups/{run.group_id}", "table#members")
    rows = member_rows(driver)
    check_source(rows, "mallory@example.com", mallory, "manual")
    check(grace not in rows, "grace is still a member after the IdP's PUT without her")
    check_source(rows, "ada@example.com", ada, "idp", "okta-test")
    info("mallory kept (manual), grace removed, ada kept (okta-test)")
    audit(run, "group")


def step_timeline(run):
    step("grace's timeline shows the PATCH that added her")
    driver = run.driver
    open_page(run, f"/users/{run.ids['grace@example.com']}", "ol#timeline")
    events = find(driver, "ol#timeline").find_elements(By.CSS_SELECTOR, "li.event")
    check(events, "ol#timeline has no li.event")
    found = False
    for event in events:
        if "PATCH" not in event.text:
            continue
        for change in event.find_elements(By.CSS_SELECTOR, ".change"):
            if "members" in change.text and "grace@example.com" in change.text:
                info(f"event: {' '.join(event.text.split())[:200]!r}")
                found = True
    check(found, "no li.event mentions PATCH with a .change naming members and grace@example.com; "
                 f"events: {[' '.join(e.text.split())[:120] for e in events]!r}")
    audit(run, "user-grace")


def check_escaped(run, path):
    driver = run.driver
    open_page(run, path)
    time.sleep(0.3)  # give a broken image's onerror its chance
    check(driver.execute_script("return window.__xss") is None,
          f"{path}: injected markup ran (window.__xss = "
          f"{driver.execute_script('return window.__xss')!r})")
    check(not driver.find_elements(By.CSS_SELECTOR, "img[onerror]"),
          f"{path}: an <img onerror> from user data is in the DOM")
    check(XSS_DISPLAY in body_text(driver), f"{path}: the text {XSS_DISPLAY!r} is not shown")
    info(f"{path}: escaped")


def step_xss(run):
    step("user data is escaped, never run")
    check_escaped(run, "/users")
    check_escaped(run, f"/users/{run.ids['mallory@example.com']}")
    audit(run, "user-mallory")
    check_escaped(run, f"/groups/{run.group_id}")


# One payload per provisioned string: markup, an attribute break-out, a javascript: URL. Each sets
# window.__xss if it ever runs.
XSS_STRINGS = {
    "externalId": "<svg onload=window.__xss=3>",
    "nickName": "\" autofocus onfocus=\"window.__xss=4",
    "title": "</td><script>window.__xss=5</script>",
    "profileUrl": "javascript:window.__xss=6",
    "userType": "'><img src=x onerror=window.__xss=7>",
    "preferredLanguage": "<iframe srcdoc='<script>parent.__xss=8</script>'>",
    "locale": "{{constructor.constructor('window.__xss=9')()}}",
    "timezone": "<style>@import 'javascript:window.__xss=10'</style>",
}
XSS_GROUP = "<svg/onload=window.__xss=11>Eng"


def step_xss_everywhere(run):
    step("every provisioned string is shown as text, never run: user attributes, a group, the activity log")
    body = {"schemas": [USER_SCHEMA, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
            "userName": "eve+<b>x</b>@example.com",
            "name": {"givenName": "<b onmouseover=window.__xss=12>Eve", "familyName": "<script>window.__xss=13</script>",
                     "middleName": "\"><img src=x onerror=window.__xss=14>", "formatted": "<u>Eve</u>"},
            "displayName": "<marquee onstart=window.__xss=15>Eve</marquee>",
            "emails": [{"value": "eve\"<x>@example.com", "type": "<i>work</i>", "primary": True}],
            "phoneNumbers": [{"value": "<img src=x onerror=window.__xss=16>", "type": "work"}],
            "addresses": [{"streetAddress": "<script>window.__xss=17</script>", "locality": "x", "type": "work"}],
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
                "department": "<img src=x onerror=window.__xss=18>", "employeeNumber": "<svg onload=window.__xss=19>",
                "organization": "\"><script>window.__xss=20</script>", "costCenter": "<a href=javascript:window.__xss=21>c</a>"},
            "active": True, **XSS_STRINGS}
    created = expect_scim(run, "POST", "/Users", body, (201,))
    check(isinstance(created, dict) and created.get("id"), "the hostile user was not created")
    eve = created["id"]
    group = expect_scim(run, "POST", "/Groups", {"schemas": [GROUP_SCHEMA], "displayName": XSS_GROUP,
                                                 "externalId": "<script>window.__xss=22</script>",
                                                 "members": [{"value": eve}]}, (201,))
    driver = run.driver
    for path in ["/users", f"/users/{eve}", "/groups", f"/groups/{group['id']}", "/activity",
                 "/users?q=%3Cscript%3E", "/activity?q=%3Cimg"]:
        open_page(run, path)
        time.sleep(0.3)  # give onerror and onload their chance
        fired = driver.execute_script("return window.__xss")
        check(fired is None, f"{path}: injected markup ran (window.__xss = {fired!r})")
        for selector in ["img[onerror]", "svg[onload]", "iframe", "marquee", "a[href^='javascript:']",
                         "[autofocus][onfocus]", "b[onmouseover]"]:
            check(not driver.find_elements(By.CSS_SELECTOR, selector),
                  f"{path}: a {selector} from provisioned data is in the DOM")
    open_page(run, f"/users/{eve}")
    text = body_text(driver)
    # The page shows the name, emails and externalId (the rest is in SCIM, not on the page).
    for shown in ["<script>window.__xss=13</script>", XSS_STRINGS["externalId"], "eve\"<x>@example.com",
                  "<marquee onstart=window.__xss=15>Eve</marquee>"]:
        check(shown in text, f"/users/{eve}: {shown!r} is not shown as text")
    open_page(run, f"/groups/{group['id']}")
    check(XSS_GROUP in body_text(driver), f"the group's name {XSS_GROUP!r} is not shown as text")
    info("the hostile user and group render inert")
    expect_scim(run, "DELETE", f"/Groups/{group['id']}", None, (204,))
    expect_scim(run, "DELETE", f"/Users/{eve}", None, (204,))


def step_csv(run):
    step("the CSV export carries the search and matches the table")
    driver = run.driver
    open_page(run, "/users", "form#user-search")
    form = find(driver, "form#user-search")
    fill(form, "q", "ada")
    submit(driver, find(driver, "form#user-search"))
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(driver.current_url).query)
    check(path_of(driver) == "/users" and query.get("q") == ["ada"],
          f"the search led to {driver.current_url}")
    shown = [c.text.strip() for c in
             driver.find_elements(By.CSS_SELECTOR, "table#users-table tr[data-user-id] td.col-username")]
    check("ada@example.com" in shown and "grace@example.com" not in shown,
          f"/users?q=ada shows {shown!r}")
    href = find(driver, "a#export-csv").get_attribute("href")
    check(urllib.parse.parse_qs(urllib.parse.urlsplit(href).query).get("q") == ["ada"],
          f"a#export-csv href {href!r} does not carry q=ada")
    request = urllib.request.Request(href, headers={"Cookie": session_cookie_header(driver)})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, kind = response.status, response.headers.get("Content-Type", "")
            text = response.read().decode("utf-8-sig")
    except urllib.error.HTTPError as error:
        raise Failure(f"GET {href}: {error.code}") from None
    check(status == 200 and kind.startswith("text/csv"), f"GET {href}: {status} {kind!r}")
    rows = list(csv.reader(io.StringIO(text)))
    check(rows, "the CSV is empty")
    header = [h.strip() for h in rows[0]]
    check("userName" in header, f"the CSV header {header!r} has no userName column")
    column = header.index("userName")
    exported = [r[column] for r in rows[1:] if r]
    check(exported == shown, f"the CSV's userNames {exported!r} differ from the table's {shown!r}")
    info(f"header {header}; rows {exported}")


def step_activity(run):
    step("the activity page and one entry")
    driver = run.driver
    open_page(run, "/activity", "table#activity")
    rows = find(driver, "table#activity").find_elements(By.CSS_SELECTOR, "tr[data-activity-id]")
    check(rows, "table#activity has no tr[data-activity-id]")
    check(driver.find_elements(By.CSS_SELECTOR, "svg.chart"), "no svg.chart on /activity")
    activity_id = rows[0].get_attribute("data-activity-id")
    info(f"{len(rows)} rows; first {activity_id}")
    audit(run, "activity")
    first = find(driver, "table#activity tr[data-activity-id]")
    old = driver.find_element(By.TAG_NAME, "html")
    find(first, "a", "the first activity row's link").click()
    wait_for(driver, EC.staleness_of(old), "the activity entry")
    settle(driver)
    check(path_of(driver) == f"/activity/{activity_id}",
          f"the first row's link led to {driver.current_url}")
    check(h1_text(driver).strip(), "the activity entry's h1 is empty")
    audit(run, "activity-detail")


def step_ada(run):
    step("ada's user page")
    open_page(run, f"/users/{run.ids['ada@example.com']}", "h1")
    check("ada@example.com" in body_text(run.driver), "ada's page does not show ada@example.com")
    audit(run, "user")
    # The connection page again, now that it has traffic: the README's screenshot.
    open_page(run, f"/connections/{run.connection_id}", "#health")
    audit(run, "connection")


def step_guard(run):
    step("the deletion guard trips, then an admin releases one hold and rejects the other")
    driver = run.driver
    path = f"/connections/{run.connection_id}"
    open_page(run, path, "form#policies")
    form = find(driver, "form#policies")
    fill(form, "deletionGuard", "1")
    submit(driver, form)
    ids = []
    for name in ("held-one@example.com", "held-two@example.com", "held-three@example.com"):
        created = expect_scim(run, "POST", "/Users", user_body(name, "Held", "User", name), [201])
        ids.append(created["id"])
    for id in ids:
        expect_scim(run, "DELETE", f"/Users/{id}", None, [204])
        expect_scim(run, "GET", f"/Users/{id}", None, [404])
    open_page(run, path, "table#held")
    text = body_text(driver)
    # Earlier steps' orphan-rule deletes count too: two or three are held.
    check(re.search(r"The deletion guard tripped: [23] deprovisions held\.", text),
          "the page leads with the guard's warning")
    held = find(driver, "table#held")
    check(row_for(held, "data-user-id", ids[1]) and row_for(held, "data-user-id", ids[2]),
          "both held users are listed")
    audit(run, "connection-held")
    reject = row_for(held, "data-user-id", ids[2]).find_element(By.CSS_SELECTOR, "form[action$='/held/reject']")
    submit(driver, reject)
    expect_scim(run, "GET", f"/Users/{ids[2]}", None, [200])
    open_page(run, path, "table#held")
    release = [f for f in driver.find_elements(By.CSS_SELECTOR, "form[action$='/held/release']")
               if not f.find_elements(By.CSS_SELECTOR, "input[name=user]")]
    check(len(release) == 1, "one 'Release all' form")
    submit(driver, release[0])
    check("Nothing is held." in body_text(driver), "nothing is held after releasing the rest")
    expect_scim(run, "GET", f"/Users/{ids[1]}", None, [404])
    form = find(driver, "form#policies")
    fill(form, "deletionGuard", "50")
    submit(driver, form)
    expect_scim(run, "DELETE", f"/Users/{ids[2]}", None, [204])


def posting_forms(driver):
    return [f.get_attribute("id") or "(no id)"
            for f in driver.find_elements(By.TAG_NAME, "form")
            if (f.get_attribute("method") or "").lower() == "post"
            and f.get_attribute("id") != "logout-form"]


def step_viewer(run):
    step("a viewer account: one-time password, forced change, read-only pages")
    driver = run.driver
    open_page(run, "/settings", "form#new-account")
    audit(run, "settings")
    form = find(driver, "form#new-account")
    fill(form, "userName", "viewer1")
    choose(form, "role", "viewer")
    submit(driver, find(driver, "form#new-account"))
    one_time = find(driver, "#one-time-password", "the one-time password").text.strip()
    check(one_time, "#one-time-password is empty")
    submit(driver, find(driver, "form#logout-form"))
    check(path_of(driver) == "/login" or driver.find_elements(By.CSS_SELECTOR, "form#login-form"),
          f"after signing out: at {driver.current_url}")
    info("signed out")

    login(run, "viewer1", one_time)
    check(path_of(driver) == "/account/password",
          f"a first sign-in with a one-time password led to {driver.current_url}")
    wait_css(driver, "form#password-form")
    audit(run, "password")
    form = find(driver, "form#password-form")
    fill(form, "current", one_time)
    fill(form, "new", VIEWER_PASSWORD)
    fill(form, "confirm", VIEWER_PASSWORD)
    submit(driver, find(driver, "form#password-form"))
    check(path_of(driver) == "/users", f"after changing the password: at {driver.current_url}")
    info("password changed; at /users")

    pages = ["/users", f"/users/{run.ids['ada@example.com']}", f"/groups/{run.group_id}",
             "/connections", f"/connections/{run.connection_id}", "/activity", "/settings"]
    for page in pages:
        open_page(run, page)
        forms = posting_forms(driver)
        check(not forms, f"{page} offers the viewer POST forms: {forms!r}")
        check(not driver.find_elements(By.CSS_SELECTOR, "form#add-member"),
              f"{page} offers the viewer form#add-member")
        info(f"{page}: read-only")

    open_page(run, f"/groups/{run.group_id}", "form#logout-form")
    status = driver.execute_script(
        """
        const csrf = document.querySelector('form#logout-form input[name=csrf]');
        if (!csrf) return 'no input[name=csrf] in form#logout-form';
        const xhr = new XMLHttpRequest();
        xhr.open('POST', arguments[0], false);
        xhr.withCredentials = true;
        xhr.setRequestHeader('Content-Type', 'application/x-www-form-urlencoded');
        xhr.send('csrf=' + encodeURIComponent(csrf.value) + '&userName=grace%40example.com');
        return xhr.status;
        """,
        f"/groups/{run.group_id}/members")
    check(status == 403, f"a viewer's POST to /groups/{run.group_id}/members answered {status!r}")
    open_page(run, f"/groups/{run.group_id}", "table#members")
    check(run.ids["grace@example.com"] not in member_rows(driver),
          "the viewer's forged POST added grace")
    info("forged POST answered 403; membership unchanged")


def sign_in_through(run, button_text, user_name, audit_as=None):
    """Signs out, clicks the sign-in page's button containing `button_text`, follows the IdP
    back to /users, and checks the header names `user_name` as a viewer with no change control."""
    driver = run.driver
    submit(driver, find(driver, "form#logout-form"))
    open_page(run, "/login", "form#login-form")
    buttons = [a for a in driver.find_elements(By.CSS_SELECTOR, "ul.providers a") if button_text in a.text]
    check(buttons, f"the sign-in page has no button with {button_text!r}")
    if audit_as:
        audit(run, audit_as)
    old = driver.find_element(By.TAG_NAME, "html")
    buttons[0].click()
    wait_for(driver, EC.staleness_of(old), "leaving the sign-in page")
    wait_for(driver, lambda d: path_of(d) == "/users" and d.find_elements(By.CSS_SELECTOR, "table#users-table"),
             f"the IdP's answer ({button_text}) to land on /users")
    settle(driver)
    header = find(driver, "header").text
    check(user_name in header and "viewer" in header,
          f"signed in through {button_text}, the header reads {header!r}")
    forms = posting_forms(driver)
    check(not forms, f"{user_name} (a viewer through Engineers) is offered POST forms: {forms!r}")


def step_saml(run):
    step("SAML: configure the connection from the IdP's metadata; ada signs in through the IdP as a viewer")
    driver = run.driver
    submit(driver, find(driver, "form#logout-form"))
    login(run, "admin", run.password)
    metadata = urllib.request.urlopen(f"{run.idp}/metadata", timeout=5).read().decode()
    open_page(run, f"/connections/{run.connection_id}", "form#saml-settings")
    form = find(driver, "form#saml-settings")
    # The metadata is long: set it directly rather than typing it key by key.
    driver.execute_script("arguments[0].value = arguments[1];",
                          find(form, "textarea[name=idpMetadata]"), metadata)
    submit(driver, find(driver, "form#saml-settings"))
    check("SAML sign-in is on" in body_text(driver),
          f"after saving the IdP metadata: {body_text(driver)[:300]!r}")
    acs = find(driver, "#saml-acs").text.strip()
    check(acs.endswith("/saml/okta-test/acs"), f"#saml-acs reads {acs!r}")
    info(f"SAML on; ACS {acs}")

    open_page(run, f"/groups/{run.group_id}", "form#grant-role")
    form = find(driver, "form#grant-role")
    choose(form, "role", "viewer")
    submit(driver, find(driver, "form#grant-role"))
    check("viewer" in find(driver, "section[aria-labelledby=roles-h]").text,
          "the group's roles do not show viewer")
    info("Engineers hold the viewer role")

    sign_in_through(run, "okta-test", "ada@example.com", audit_as="login-sso")
    info("ada signed in through the IdP: a viewer, read-only")


def step_oidc(run):
    step("OpenID Connect: configure the connection; mallory signs in through the provider as a viewer")
    driver = run.driver
    submit(driver, find(driver, "form#logout-form"))
    login(run, "admin", run.password)
    open_page(run, f"/connections/{run.connection_id}", "form#oidc-settings")
    redirect = find(driver, "#oidc-redirect").text.strip()
    check(redirect.endswith("/oidc/okta-test/callback"), f"#oidc-redirect reads {redirect!r}")
    form = find(driver, "form#oidc-settings")
    fill(form, "issuer", run.oidc_issuer)
    fill(form, "clientID", "account-console")
    fill(form, "clientSecretFile", run.oidc_secret_file)
    submit(driver, find(driver, "form#oidc-settings"))
    check("OpenID Connect sign-in is on" in body_text(driver),
          f"after saving the OpenID Connect settings: {body_text(driver)[:300]!r}")
    audit(run, "connection-sso")
    sign_in_through(run, "OpenID Connect", "mallory@example.com")
    info("mallory signed in through OpenID Connect: a viewer, read-only")


def self_check():
    step("self-check: headless Chromium renders a data: URL and axe-core runs on it")
    driver = start_browser()
    try:
        info(f"{driver.capabilities.get('browserName')} {driver.capabilities.get('browserVersion')}")
        driver.get("data:text/html,<!doctype html><html lang=en><head><title>t</title></head>"
                   "<body><main><h1>Hello</h1><img src=x></main></body></html>")
        check(find(driver, "h1").text == "Hello", "the data: page did not render")
        ids = [v["id"] for v in run_axe(driver)]
        version = driver.execute_script("return axe.version")
        check("image-alt" in ids, f"axe {version} missed the image without alt text: {ids!r}")
        info(f"axe-core {version} ran and found {ids}")
    finally:
        driver.quit()


def main(argv):
    if argv[1:] == ["--self-check"]:
        try:
            self_check()
        except (Failure, WebDriverException) as error:
            print(f"\nFAIL: {error}", file=sys.stderr)
            return 1
        return 0
    if len(argv) != 7:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    run = Run(argv[1], argv[2], argv[3])
    run.idp = argv[4].rstrip("/")
    run.oidc_issuer, run.oidc_secret_file = argv[5], argv[6]
    os.makedirs(run.shots, exist_ok=True)
    steps = [step_login, step_connection, step_token, step_provision, step_users, step_group,
             step_timeline, step_manual_member, step_xss, step_xss_everywhere, step_csv, step_activity, step_ada,
             step_guard, step_viewer, step_saml, step_oidc]
    started = time.monotonic()
    try:
        run.driver = start_browser()
        for function in steps:
            function(run)
    except (Failure, WebDriverException) as error:
        print(f"\nFAIL: {error}".rstrip(), file=sys.stderr)
        if run.driver:
            try:
                print(f"  at {run.driver.current_url}: {body_text(run.driver)[:600]!r}",
                      file=sys.stderr)
                print(f"  screenshot {screenshot(run, 'failure')}", file=sys.stderr)
            except WebDriverException:
                pass
        return 1
    finally:
        if run.driver:
            run.driver.quit()
    print(f"\nbrowser test passed: {len(steps)} steps, {len(run.audited)} pages audited "
          f"(axe light and dark), {time.monotonic() - started:.0f} s; screenshots in {run.shots}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
