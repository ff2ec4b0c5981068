/// Templates of the authorization server's pages: consent, errors, Connected apps, Developer apps.
extension Templates {
    static let consent = """
    <section class="card consent">
      <header class="app-identity">
        {{#logoURI}}<img class="app-logo" src="{{logoURI}}" alt="" width="56" height="56">{{/logoURI}}
        {{^logoURI}}<span class="app-logo placeholder" aria-hidden="true">{{initial}}</span>{{/logoURI}}
        <div>
          <h1><span class="app-name">{{clientName}}</span> wants to access your Better i18n organization</h1>
          <p class="muted">
            {{^verified}}<span class="badge unverified" title="This app registered itself; Better i18n has not reviewed it.">Unverified app</span>{{/verified}}
            {{#verified}}<span class="badge verified">Registered app</span>{{/verified}}
            After you decide, you will be sent to <strong class="host">{{redirectHost}}</strong>.
          </p>
        </div>
      </header>
      {{#error}}<p class="alert" role="alert">{{error}}</p>{{/error}}
      {{^hasOrganizations}}
      <p class="alert" role="alert">You are not an owner or admin of any organization, so you cannot connect this app. Ask an owner of your organization to connect it.</p>
      {{/hasOrganizations}}
      <form id="consent" method="post" action="/api/auth/mcp/authorize">
        <input type="hidden" name="request_id" value="{{requestID}}">
        <input type="hidden" name="csrf_token" value="{{csrf}}">
        {{#hasOrganizations}}
        <h2 class="step">1. Organization</h2>
        <label for="organization_id" class="sr-only">Organization</label>
        <select id="organization_id" name="organization_id">
          {{#organizations}}<option value="{{id}}"{{#selected}} selected{{/selected}}>{{name}} ({{slug}})</option>{{/organizations}}
        </select>

        <h2 class="step">2. Projects</h2>
        <fieldset class="choices">
          <legend class="sr-only">Project access</legend>
          <label class="choice"><input type="radio" name="project_access" value="all"{{#allProjects}} checked{{/allProjects}}>
            <span><strong>All projects</strong> of the organization, including ones created later</span></label>
          <label class="choice"><input type="radio" name="project_access" value="selected"{{^allProjects}} checked{{/allProjects}}>
            <span><strong>Only the projects selected below</strong></span></label>
        </fieldset>
        {{#organizations}}
        <fieldset class="projects">
          <legend>{{name}}</legend>
          {{#projects}}<label class="choice small"><input type="checkbox" name="project_ids" value="{{id}}"{{#checked}} checked{{/checked}}> <span>{{name}} <code class="muted">{{slug}}</code></span></label>{{/projects}}
          {{^projects}}<p class="muted">No projects yet.</p>{{/projects}}
        </fieldset>
        {{/organizations}}

        <h2 class="step">3. Permissions</h2>
        <ul class="scopes">
          {{#scopes}}
          <li>
            <label class="choice"><input type="checkbox" name="scope" value="{{name}}"{{#checked}} checked{{/checked}}>
              <span><strong>{{grants}}</strong> <code class="muted">{{name}}</code>
              {{#warning}}<br><span class="warning">⚠ {{warning}} Off unless you turn it on.</span>{{/warning}}</span></label>
          </li>
          {{/scopes}}
        </ul>
        {{/hasOrganizations}}
        <div class="actions">
          <button type="submit" name="decision" value="deny" class="secondary">Deny</button>
          {{#hasOrganizations}}<button type="submit" name="decision" value="approve" class="primary">Allow access</button>{{/hasOrganizations}}
        </div>
        <p class="muted small">You can revoke this access at any time under Settings → Connected apps. Signed in as {{userEmail}}.</p>
      </form>
    </section>
    """

    static let errorPage = """
    <section class="card">
      <h1>{{heading}}</h1>
      <p>{{message}}</p>
      <p><a href="/">Back to Better i18n</a></p>
    </section>
    """

    static let connectedApps = """
    <h1>Connected apps</h1>
    <p class="muted">Apps that can reach organizations you administer. Revoking one stops every token it holds for that organization within a second.</p>
    {{#flash}}<p class="notice" role="status">{{flash}}</p>{{/flash}}
    {{^grants}}<section class="card empty"><p>No app is connected to your organizations.</p></section>{{/grants}}
    {{#grants}}
    <section class="card grant{{#revoked}} revoked{{/revoked}}">
      <header class="org-head">
        <div>
          <h2>{{clientName}}{{^verified}} <span class="badge unverified">Unverified</span>{{/verified}}{{#revoked}} <span class="badge">Revoked</span>{{/revoked}}</h2>
          <p class="muted">can reach <strong>{{organization}}</strong> · {{projects}}</p>
        </div>
        {{^revoked}}
        <form method="post" action="/settings/connected-apps/{{id}}/revoke" class="inline">
          <input type="hidden" name="csrf_token" value="{{csrf}}">
          <button type="submit" class="danger">Revoke</button>
        </form>
        {{/revoked}}
      </header>
      <p class="chips">{{#scopes}}<code class="scope">{{.}}</code> {{/scopes}}</p>
      <dl class="facts">
        <div><dt>Approved by</dt><dd>{{approvedBy}}</dd></div>
        <div><dt>Approved</dt><dd>{{createdAt}}</dd></div>
        <div><dt>Last used</dt><dd>{{lastUsed}}</dd></div>
        <div><dt>Client ID</dt><dd><code>{{clientID}}</code></dd></div>
      </dl>
    </section>
    {{/grants}}
    <h2 class="section">Audit log</h2>
    <section class="card">
      {{^events}}<p class="muted">Nothing recorded yet.</p>{{/events}}
      {{#hasEvents}}
      <ul class="events">
        {{#events}}<li><span class="when">{{at}}</span> <code>{{kind}}</code> <strong>{{client}}</strong> <span class="muted">by {{actor}}</span>{{#details}}<br><span class="muted small">{{details}}</span>{{/details}}</li>{{/events}}
      </ul>
      {{/hasEvents}}
    </section>
    """

    static let developerApps = """
    <h1>Developer apps</h1>
    <p class="muted">Register OAuth apps that act on behalf of Better i18n users.</p>
    {{#error}}<p class="alert" role="alert">{{error}}</p>{{/error}}
    {{#secret}}
    <section class="card secret-once" role="status">
      <h2>Client secret for {{appName}}</h2>
      <p>Copy it now: it is shown only once. Only a digest is stored.</p>
      <p><code class="secret">{{value}}</code></p>
    </section>
    {{/secret}}
    {{#webhookSecret}}
    <section class="card secret-once" role="status">
      <h2>Webhook signing secret for {{appName}}</h2>
      <p>Copy it now: it is shown only once. Verify each delivery's <code>webhook-signature</code> with it.</p>
      <p><code class="secret">{{value}}</code></p>
    </section>
    {{/webhookSecret}}
    {{#apps}}
    <section class="card app">
      <header class="org-head">
        <div>
          <h2>{{name}}</h2>
          <p class="muted">client_id <code>{{clientID}}</code> · {{type}} ({{kind}})</p>
        </div>
        <div class="actions">
          {{#confidential}}
          <form method="post" action="/settings/apps/{{clientID}}/rotate-secret" class="inline">
            <input type="hidden" name="csrf_token" value="{{csrf}}">
            <button type="submit" class="secondary">Rotate secret</button>
          </form>
          {{/confidential}}
          <form method="post" action="/settings/apps/{{clientID}}/delete" class="inline">
            <input type="hidden" name="csrf_token" value="{{csrf}}">
            <button type="submit" class="danger">Delete</button>
          </form>
        </div>
      </header>
      <p class="muted small">Redirect URIs</p>
      <ul class="plain">{{#redirectURIs}}<li><code>{{.}}</code></li>{{/redirectURIs}}</ul>
      <form method="post" action="/settings/apps/{{clientID}}/webhook" class="app-webhook">
        <input type="hidden" name="csrf_token" value="{{csrf}}">
        <label for="webhook-{{clientID}}">Webhook URL <span class="muted">(grant events and what each installation may read; empty removes it)</span></label>
        <input id="webhook-{{clientID}}" name="webhook_url" type="url" value="{{webhookURL}}" placeholder="https://example.com/hooks/better-i18n">
        <button type="submit" class="secondary">Save webhook</button>
      </form>
      {{#webhookID}}
      <p class="muted small">Webhook: {{webhookStatus}} · <a href="/settings/webhooks/{{webhookID}}">delivery log, rotate secret</a></p>
      <table class="attempts">
        <tbody>
        {{#recentDeliveries}}<tr><td><code>{{type}}</code></td><td>{{state}}</td><td>{{at}}</td><td>{{lastStatus}}</td></tr>{{/recentDeliveries}}
        </tbody>
      </table>
      {{/webhookID}}
    </section>
    {{/apps}}
    <section class="card">
      <h2>Register a new app</h2>
      <form id="register-app" method="post" action="/settings/apps">
        <input type="hidden" name="csrf_token" value="{{csrf}}">
        <label for="app-name">Name</label>
        <input id="app-name" name="name" type="text" required maxlength="200" value="{{form.name}}">
        <label for="app-icon">Icon URL <span class="muted">(optional, https)</span></label>
        <input id="app-icon" name="logo_uri" type="url" value="{{form.logoURI}}">
        <label for="app-redirects">Redirect URIs <span class="muted">(one per line)</span></label>
        <textarea id="app-redirects" name="redirect_uris" rows="3" required>{{form.redirectURIs}}</textarea>
        <label for="app-type">Type</label>
        <select id="app-type" name="type">
          <option value="web">Web app — confidential, gets a client secret</option>
          <option value="native">Native app — public, PKCE only</option>
          <option value="spa">Single-page app — public, PKCE only</option>
        </select>
        <button type="submit" class="primary wide">Register app</button>
      </form>
    </section>
    """

    static let oauthStylesheet = """
    .consent h1 { font-size: 1.35rem; margin: 0 0 .35rem; }
    .app-identity { display: flex; gap: 1rem; align-items: flex-start; margin-bottom: 1rem; }
    .app-logo { width: 56px; height: 56px; border-radius: 12px; object-fit: cover; flex: none; border: 1px solid var(--line); }
    .app-logo.placeholder { display: grid; place-items: center; background: #eef1fb; color: var(--accent-dark); font-weight: 700; font-size: 1.4rem; }
    .app-name { overflow-wrap: anywhere; }
    .badge.unverified { background: var(--warn-bg); color: var(--warn); }
    .badge.verified { background: #e8f5ee; color: var(--ok); }
    .host { overflow-wrap: anywhere; }
    h2.step { font-size: 1rem; margin: 1.5rem 0 .5rem; }
    h2.section { font-size: 1.2rem; margin: 2rem 0 .75rem; }
    fieldset { border: 0; padding: 0; margin: 0; }
    fieldset.projects { border: 1px solid var(--line); border-radius: 8px; padding: .5rem .9rem .7rem; margin-top: .6rem; }
    fieldset.projects legend { font-weight: 600; padding: 0 .3rem; }
    label.choice { display: flex; gap: .6rem; align-items: flex-start; font-weight: 400; margin: .45rem 0; }
    label.choice input { margin-top: .3rem; flex: none; }
    label.choice.small { margin: .25rem 0; }
    ul.scopes, ul.plain { list-style: none; padding: 0; margin: 0; }
    ul.scopes li { border-top: 1px solid var(--line); padding: .15rem 0; }
    ul.scopes li:first-child { border-top: 0; }
    .actions { display: flex; gap: .75rem; justify-content: flex-end; flex-wrap: wrap; margin-top: 1.5rem; }
    .org-head .actions { margin-top: 0; }
    .small { font-size: .85rem; }
    .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
    .notice { background: #e8f5ee; color: var(--ok); border-radius: 8px; padding: .6rem .8rem; }
    .secret-once { border-color: #f1d08a; background: var(--warn-bg); }
    code.secret { display: block; padding: .6rem; background: #fff; border: 1px dashed #d9b25c; border-radius: 6px; overflow-wrap: anywhere; user-select: all; }
    code.scope { font-size: .75rem; background: #f2f4fa; border-radius: 4px; padding: 0 .25rem; white-space: nowrap; }
    .grant.revoked { opacity: .7; }
    .chips { margin: .25rem 0 .75rem; line-height: 1.9; }
    dl.facts { display: grid; grid-template-columns: repeat(auto-fit, minmax(180px, 1fr)); gap: .5rem 1.5rem; margin: 0; }
    dl.facts dt { font-size: .75rem; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
    dl.facts dd { margin: 0; overflow-wrap: anywhere; }
    ul.events { list-style: none; padding: 0; margin: 0; }
    ul.events li { border-top: 1px solid var(--line); padding: .55rem 0; overflow-wrap: anywhere; }
    ul.events li:first-child { border-top: 0; }
    .when { color: var(--muted); font-size: .85rem; margin-right: .35rem; }
    td.nowrap { white-space: nowrap; }
    .topnav { display: flex; gap: 1rem; flex-wrap: wrap; }
    .topnav a { color: var(--muted); text-decoration: none; font-size: .95rem; }
    .topnav a:hover { color: var(--accent); }
    textarea { width: 100%; padding: .6rem .75rem; border: 1px solid #c9cfdb; border-radius: 8px; font: inherit; }
    @media (max-width: 540px) {
      .actions { justify-content: stretch; }
      .actions button { flex: 1; }
      .app-identity { gap: .75rem; }
      .app-logo { width: 44px; height: 44px; }
      .topbar { flex-wrap: wrap; row-gap: .4rem; }
      .brand { white-space: nowrap; }
      .topnav { order: 3; width: 100%; gap: 1rem; }
    }
    """
}
