"""A scripted browser: signs in through the real login form and answers the consent form."""
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlparse

import requests

from conftest import PASSWORD


class FormParser(HTMLParser):
    """Collects inputs, selects and buttons of one form by id."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.fields = []          # (name, value) of hidden inputs
        self.checkboxes = []      # (name, value, checked)
        self.options = []         # option values of selects
        self.buttons = []         # (name, value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside:
            return
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind == "hidden":
                self.fields.append((attrs["name"], attrs.get("value", "")))
            elif kind in ("checkbox", "radio"):
                self.checkboxes.append((attrs["name"], attrs.get("value", ""), "checked" in attrs))
        elif tag == "option":
            self.options.append(attrs.get("value"))
        elif tag == "button" and "name" in attrs:
            self.buttons.append((attrs["name"], attrs.get("value", "")))

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def parse(html, form_id):
    parser = FormParser(form_id)
    parser.feed(html)
    return parser


class Browser:
    def __init__(self, base, email="owner@example.com", password=PASSWORD):
        self.base = base
        self.session = requests.Session()
        self.email = email
        self.password = password

    def sign_in(self, return_to="/"):
        page = self.session.get(self.base + "/login", params={"return_to": return_to})
        form = parse(page.text, "login")
        data = dict(form.fields)
        data.update(email=self.email, password=self.password)
        response = self.session.post(self.base + "/login", data=data, allow_redirects=False)
        assert response.status_code == 303, response.text
        return response.headers["Location"]

    def consent(self, authorize_url, approve=True, scopes=None, project_ids=None):
        """Follows the authorization URL as a user would and returns the redirect back to the client.
        `scopes`: tick exactly these (default: what the page ticks, the default-on scopes).
        `project_ids`: only these projects (default: all projects)."""
        response = self.session.get(authorize_url, allow_redirects=False)
        if response.status_code == 303 and response.headers["Location"].startswith("/login"):
            return_to = parse_qs(urlparse(response.headers["Location"]).query)["return_to"][0]
            location = self.sign_in(return_to)
            response = self.session.get(urljoin(self.base, location), allow_redirects=False)
        assert response.status_code == 200, f"consent page: {response.status_code} {response.text[:300]}"
        form = parse(response.text, "consent")
        data = list(form.fields)
        data.append(("organization_id", form.options[0]))
        if project_ids:
            data.append(("project_access", "selected"))
            data += [("project_ids", project_id) for project_id in project_ids]
        else:
            data.append(("project_access", "all"))
        if scopes is None:
            data += [(name, value) for name, value, checked in form.checkboxes if name == "scope" and checked]
        else:
            offered = {value for name, value, _ in form.checkboxes if name == "scope"}
            assert set(scopes) <= offered, f"consent page does not offer {set(scopes) - offered}"
            data += [("scope", scope) for scope in scopes]
        data.append(("decision", "approve" if approve else "deny"))
        answer = self.session.post(self.base + "/api/auth/mcp/authorize", data=data, allow_redirects=False)
        assert answer.status_code == 303, answer.text
        return answer.headers["Location"]
