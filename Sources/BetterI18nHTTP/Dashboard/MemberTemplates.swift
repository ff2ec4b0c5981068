/// The Members page and the invitation page. Every value is escaped by `{{…}}`.
enum MemberTemplates {
    static let members = """
    <nav class="crumbs" aria-label="Breadcrumb"><a href="/">Projects</a> <span aria-hidden="true">/</span> {{organizationName}} <span aria-hidden="true">/</span> <span aria-current="page">Members</span></nav>
    <h1>Members of {{organizationName}}</h1>
    {{#flash}}<p class="notice" role="status">{{flash}}</p>{{/flash}}
    {{#error}}<p class="alert" role="alert">{{error}}</p>{{/error}}
    {{#link}}
    <section class="card secret-box" aria-labelledby="link-heading">
      <h2 id="link-heading">Invitation link for {{invitedEmail}}</h2>
      <p>Send this link to {{invitedEmail}}. It is shown only now, works once and expires in 7 days.</p>
      <label for="invitation-link">Invitation link</label>
      <textarea id="invitation-link" readonly rows="2" class="mono link-box">{{link}}</textarea>
    </section>
    {{/link}}

    <section class="card" aria-labelledby="invite-heading">
      <h2 id="invite-heading">Invite someone</h2>
      <form method="post" action="/orgs/{{organizationSlug}}/members/invite" class="invite-form">
        <input type="hidden" name="csrf_token" value="{{csrf}}">
        <div>
          <label for="invite-email">Email</label>
          <input id="invite-email" name="email" type="email" required maxlength="254" value="{{email}}" autocomplete="off"{{#emailError}} aria-invalid="true" aria-describedby="invite-email-error"{{/emailError}}>
          {{#emailError}}<p class="field-error" id="invite-email-error" role="alert">{{emailError}}</p>{{/emailError}}
        </div>
        <div>
          <label for="invite-role">Role</label>
          <select id="invite-role" name="role">{{#roles}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/roles}}</select>
        </div>
        <div class="invite-submit"><button type="submit" class="primary">Create invitation link</button></div>
      </form>
      <p class="muted small">Members translate; admins also publish, add languages, invite and connect apps; owners also manage owners.</p>
    </section>

    <section class="card" aria-labelledby="members-heading">
      <h2 id="members-heading">Members</h2>
      <ul class="member-list">
        {{#members}}
        <li class="member">
          <div class="member-who">
            <strong>{{name}}</strong>{{#isYou}} <span class="muted">(you)</span>{{/isYou}}<br>
            <span class="muted small">{{email}} · joined {{joined}}</span>
          </div>
          <form method="post" action="/orgs/{{organizationSlug}}/members/{{id}}/role" class="member-role">
            <input type="hidden" name="csrf_token" value="{{csrf}}">
            <label for="role-{{id}}" class="visually-hidden">Role of {{name}}</label>
            <select id="role-{{id}}" name="role">{{#roles}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/roles}}</select>
            <button type="submit" class="secondary small">Change role<span class="visually-hidden"> of {{name}}</span></button>
          </form>
          <form method="post" action="/orgs/{{organizationSlug}}/members/{{id}}/remove" class="member-remove">
            <input type="hidden" name="csrf_token" value="{{csrf}}">
            <button type="submit" class="danger">Remove<span class="visually-hidden"> {{name}}</span></button>
          </form>
        </li>
        {{/members}}
      </ul>
    </section>

    {{#hasInvitations}}
    <section class="card" aria-labelledby="invitations-heading">
      <h2 id="invitations-heading">Open invitations</h2>
      <ul class="member-list">
        {{#invitations}}
        <li class="member">
          <div class="member-who"><strong>{{email}}</strong> <span class="badge">{{role}}</span><br>
            <span class="muted small">{{#expired}}expired {{expires}}{{/expired}}{{^expired}}valid until {{expires}}{{/expired}}</span></div>
          <form method="post" action="/orgs/{{organizationSlug}}/invitations/{{id}}/revoke" class="member-remove">
            <input type="hidden" name="csrf_token" value="{{csrf}}">
            <button type="submit" class="danger">Withdraw<span class="visually-hidden"> the invitation of {{email}}</span></button>
          </form>
        </li>
        {{/invitations}}
      </ul>
    </section>
    {{/hasInvitations}}
    """

    static let invitation = """
    <section class="card auth-card">
      <h1>Join {{organizationName}}</h1>
      <p class="muted">You are invited to <strong>{{organizationName}}</strong> as <strong>{{role}}</strong> with the email <strong>{{email}}</strong>. The invitation is valid until {{expires}}.</p>
      {{#error}}<p class="alert" role="alert">{{error}}</p>{{/error}}
      {{#signedIn}}
        {{#matches}}
        <form id="accept" method="post" action="/invitations/{{token}}">
          <input type="hidden" name="csrf_token" value="{{csrf}}">
          <button type="submit" class="primary wide">Accept and join</button>
        </form>
        {{/matches}}
        {{^matches}}<p>You are signed in as {{signedInEmail}}. Sign out and sign in as {{email}} to accept.</p>{{/matches}}
      {{/signedIn}}
      {{^signedIn}}
      <h2 class="sub">New to Better i18n?</h2>
      <form id="accept" method="post" action="/invitations/{{token}}">
        <input type="hidden" name="csrf_token" value="{{csrf}}">
        <label for="name">Your name</label>
        <input id="name" name="name" type="text" autocomplete="name" required maxlength="200" value="{{name}}"{{#nameError}} aria-invalid="true" aria-describedby="name-error"{{/nameError}}>
        {{#nameError}}<p class="field-error" id="name-error" role="alert">{{nameError}}</p>{{/nameError}}
        <label for="password">Choose a password <span class="muted small">(at least 10 characters)</span></label>
        <input id="password" name="password" type="password" autocomplete="new-password" required minlength="10"{{#passwordError}} aria-invalid="true" aria-describedby="password-error"{{/passwordError}}>
        {{#passwordError}}<p class="field-error" id="password-error" role="alert">{{passwordError}}</p>{{/passwordError}}
        <button type="submit" class="primary wide">Create account and join</button>
      </form>
      <p class="muted">Already have an account with {{email}}? <a href="{{signInURL}}">Sign in to accept</a>.</p>
      {{/signedIn}}
    </section>
    """

    /// The dashboard pages' own styles, appended to the shared stylesheet.
    static let stylesheet = """
    main.wide { max-width: 1200px; }
    .org-actions { display: flex; gap: .75rem; align-items: center; }
    .home-progress { min-width: 200px; }
    .lang-progress { display: grid; grid-template-columns: 3.2rem 1fr 2.6rem; align-items: center; gap: .4rem; margin-bottom: .2rem; }
    .crumbs { font-size: .9rem; color: var(--muted); margin-bottom: .5rem; }
    .crumbs a { text-decoration: none; }
    .page-head { display: flex; justify-content: space-between; align-items: flex-start; gap: 1rem; margin-bottom: 1rem; }
    .page-head h1 { margin-bottom: .1rem; }
    a.button { display: inline-block; text-decoration: none; border-radius: 8px; padding: .55rem 1.1rem; font-weight: 600; }
    a.button.secondary { background: #fff; color: var(--text); border: 1px solid #c9cfdb; }
    .notice { background: #ecfdf3; color: var(--ok); border: 1px solid #abefc6; border-radius: 8px; padding: .6rem .8rem; }
    .small { font-size: .85rem; }
    .project-grid { display: grid; grid-template-columns: 1fr 1fr; gap: 1.25rem; align-items: start; }
    .link-box { resize: none; word-break: break-all; }
    .project-grid > .card { margin-bottom: 0; }
    .project-grid + .card { margin-top: 1.25rem; }
    .progress-list { list-style: none; padding: 0; margin: .75rem 0 0; }
    .progress-list li { padding: .5rem 0; border-top: 1px solid var(--line); }
    .progress-list li:first-child { border-top: 0; }
    .lang-head { display: flex; align-items: center; gap: .5rem; margin-bottom: .3rem; }
    .progress-list .lang-name { font-weight: 600; }
    input[type=search] { width: 100%; padding: .6rem .75rem; border: 1px solid #c9cfdb; border-radius: 8px; font: inherit; background: #fff; }
    select { min-height: 2.75rem; }
    label .small { font-weight: 400; }
    progress { width: 100%; height: .6rem; appearance: none; -webkit-appearance: none; border: 0; border-radius: 999px; background: #eceff6; overflow: hidden; }
    progress::-webkit-progress-bar { background: #eceff6; border-radius: 999px; }
    progress::-webkit-progress-value { background: var(--accent); border-radius: 999px; }
    progress::-moz-progress-bar { background: var(--accent); border-radius: 999px; }
    .inline-fields { display: flex; gap: .5rem; }
    .inline-fields input { flex: 1; }
    .field-error { color: var(--danger); font-size: .9rem; margin: .35rem 0 0; }
    .excerpt { background: var(--danger-bg); padding: .05rem .3rem; border-radius: 4px; white-space: pre-wrap; word-break: break-all; }
    .excerpt mark { background: var(--danger); color: #fff; border-radius: 2px; padding: 0 .1rem; }
    .pending { list-style: none; padding: 0; margin: .5rem 0 1rem; }
    .pending > li { padding: .35rem 0; border-top: 1px solid var(--line); }
    .pending > li:first-child { border-top: 0; }
    .pending summary { cursor: pointer; }
    .names { list-style: none; padding: .25rem 0 0 1rem; margin: 0; font-size: .9rem; }
    .filters { display: grid; grid-template-columns: 2fr 1fr 1fr auto; gap: .75rem; align-items: end; margin: .75rem 0 1.25rem; }
    .filters label { margin-top: 0; }
    .filter-actions { display: flex; gap: .75rem; align-items: center; }
    .filter-actions button { padding: .6rem 1rem; }
    .key { border-top: 1px solid var(--line); padding: 1rem 0; }
    .key:target, .key:focus-within { background: #fafbff; box-shadow: -1.5rem 0 0 #fafbff, 1.5rem 0 0 #fafbff; }
    .key-name { font-size: 1rem; margin: 0 0 .5rem; word-break: break-all; }
    .values { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: .75rem; }
    .value label { margin: 0 0 .25rem; font-weight: 600; font-size: .9rem; }
    .value textarea { min-height: 2.9rem; resize: vertical; }
    .value.missing textarea { border-style: dashed; background: #fffdf7; }
    .value.invalid textarea { border-color: var(--danger); background: var(--danger-bg); }
    .missing-tag { font-size: .7rem; font-weight: 600; text-transform: uppercase; color: var(--warn); background: var(--warn-bg); border-radius: 999px; padding: .05rem .45rem; }
    .key-actions { display: flex; align-items: center; gap: .75rem; margin-top: .6rem; }
    .key-actions button { padding: .45rem 1.1rem; }
    .save-status { color: var(--ok); font-size: .9rem; }
    .save-status.failed { color: var(--danger); }
    textarea:focus { outline: 3px solid rgba(52, 81, 209, .35); outline-offset: 1px; }
    details.manage { margin-top: .5rem; }
    details.manage summary { cursor: pointer; color: var(--muted); font-size: .9rem; }
    .rename-form { display: grid; grid-template-columns: 2fr 1fr auto; gap: .75rem; align-items: end; }
    .rename-form label { margin-top: .5rem; }
    .delete-form { margin-top: .75rem; }
    .empty { padding: 1rem 0; color: var(--muted); }
    .pager { display: flex; gap: 1.25rem; padding: .75rem 0; }
    .add-key { border-top: 1px solid var(--line); padding-top: 1rem; }
    .add-key h3 { margin: 0; font-size: 1rem; }
    .add-grid { display: grid; grid-template-columns: 1fr 1fr; gap: 0 .75rem; margin-bottom: 1rem; }
    .span-2 { grid-column: 1 / -1; }
    .files a { text-decoration: none; margin: 0 .2rem .2rem 0; }
    .invite-form { display: grid; grid-template-columns: 2fr 1fr auto; gap: .75rem; align-items: end; margin-top: .75rem; }
    .invite-form label { margin-top: 0; }
    .member-list { list-style: none; padding: 0; margin: 0; }
    .member { display: flex; flex-wrap: wrap; gap: .75rem; align-items: center; padding: .75rem 0; border-top: 1px solid var(--line); }
    .member:first-child { border-top: 0; }
    .member-who { flex: 1 1 220px; min-width: 0; overflow-wrap: anywhere; }
    .member-role { display: flex; gap: .5rem; align-items: center; }
    .member-role select { width: auto; }
    button.small { padding: .45rem .8rem; }
    .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85rem; }
    .secret-box { border-color: #abefc6; background: #f6fef9; }
    h2.sub { font-size: 1rem; margin-top: 1.25rem; }
    .visually-hidden { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
    .topnav a[aria-current=page] { color: var(--text); font-weight: 600; }
    @media (max-width: 760px) {
      .project-grid, .filters, .add-grid, .rename-form, .invite-form { grid-template-columns: 1fr; }
      .page-head { flex-direction: column; }
      .key:target, .key:focus-within { box-shadow: none; }
    }
    """
}
