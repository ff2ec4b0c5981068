/// The dashboard's Mustache templates. `{{x}}` escapes HTML (including quotes), so every
/// user-supplied string is escaped unless a template deliberately uses `{{{x}}}` — which only
/// the layout does, for the already-rendered page body.
enum Templates {
    static let layout = """
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>{{title}} · Better i18n</title>
    <link rel="stylesheet" href="/static/app.css">
    </head>
    <body>
    <header class="topbar">
      <a class="brand" href="/"><span class="logo" aria-hidden="true">bi</span> Better i18n</a>
      {{#user}}
      <nav class="topnav" aria-label="Settings">
        <a href="/settings/connected-apps">Connected apps</a>
        <a href="/settings/apps">Developer apps</a>
        <a href="/settings/webhooks">Webhooks</a>
      </nav>
      <nav class="account" aria-label="Account">
        <span class="who" title="{{email}}">{{name}}</span>
        <form method="post" action="/logout" class="inline">
          <input type="hidden" name="csrf_token" value="{{csrf}}">
          <button type="submit" class="link">Sign out</button>
        </form>
      </nav>
      {{/user}}
    </header>
    <main class="{{mainClass}}">
    {{{body}}}
    </main>
    <footer class="footer">Better i18n · translations your partners can reach safely</footer>
    </body>
    </html>
    """

    static let login = """
    <section class="card auth-card">
      <h1>Sign in</h1>
      {{#appName}}<p class="muted">Sign in to continue to <strong>{{appName}}</strong>, which asks to connect to your Better i18n account.</p>{{/appName}}
      {{^appName}}<p class="muted">Use your Better i18n account to continue.</p>{{/appName}}
      {{#error}}<p class="alert" role="alert">{{error}}</p>{{/error}}
      <form id="login" method="post" action="/login">
        <input type="hidden" name="csrf_token" value="{{csrf}}">
        <input type="hidden" name="return_to" value="{{returnTo}}">
        <label for="email">Email</label>
        <input id="email" name="email" type="email" autocomplete="username" required autofocus value="{{email}}">
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required>
        <button type="submit" class="primary wide">Sign in</button>
      </form>
    </section>
    """

    static let home = """
    <h1>Your organizations</h1>
    {{^organizations}}
    <section class="card empty">
      <p>You are not a member of any organization yet.</p>
      <p class="muted">An operator can add you with <code>better-i18n admin add-member</code>.</p>
    </section>
    {{/organizations}}
    {{#organizations}}
    <section class="card org">
      <header class="org-head">
        <div>
          <h2>{{name}}</h2>
          <p class="muted"><code>{{slug}}</code> · {{projectCount}} project{{^singleProject}}s{{/singleProject}}</p>
        </div>
        <span class="badge role-{{role}}">{{role}}</span>
      </header>
      {{^projects}}<p class="muted">No projects yet.</p>{{/projects}}
      {{#hasProjects}}
      <div class="table-wrap">
      <table>
        <thead><tr><th scope="col">Project</th><th scope="col">Source</th><th scope="col">Languages</th><th scope="col" class="num">Keys</th></tr></thead>
        <tbody>
        {{#projects}}
          <tr>
            <td><strong>{{name}}</strong><br><code class="muted">{{slug}}</code></td>
            <td><span class="lang">{{sourceLanguage}}</span></td>
            <td>{{#languages}}<span class="lang" title="{{name}}">{{code}}</span> {{/languages}}</td>
            <td class="num">{{keyCount}}</td>
          </tr>
        {{/projects}}
        </tbody>
      </table>
      </div>
      {{/hasProjects}}
    </section>
    {{/organizations}}
    """

    static let stylesheet = """
    :root {
      --bg: #f6f7fb; --card: #ffffff; --text: #1c2230; --muted: #5d6678; --line: #e3e6ee;
      --accent: #3451d1; --accent-dark: #2740a8; --danger: #b42318; --danger-bg: #fef3f2;
      --warn: #8a5a00; --warn-bg: #fff7e6; --ok: #087443; --radius: 10px;
      font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
      color: var(--text); background: var(--bg);
    }
    * { box-sizing: border-box; }
    body { margin: 0; min-height: 100vh; display: flex; flex-direction: column; line-height: 1.5; }
    a { color: var(--accent); }
    code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .9em; }
    .topbar { display: flex; align-items: center; justify-content: space-between; gap: 1rem;
      padding: .75rem 1.5rem; background: var(--card); border-bottom: 1px solid var(--line); }
    .brand { font-weight: 700; font-size: 1.1rem; color: var(--text); text-decoration: none; display: flex; align-items: center; gap: .5rem; }
    .logo { display: inline-grid; place-items: center; width: 2rem; height: 2rem; border-radius: 8px;
      background: var(--accent); color: #fff; font-size: .95rem; font-weight: 800; letter-spacing: -.02em; }
    .account { display: flex; align-items: center; gap: .75rem; color: var(--muted); min-width: 0; }
    .who { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; max-width: 40vw; }
    main { width: 100%; max-width: 960px; margin: 0 auto; padding: 2rem 1.25rem; flex: 1; }
    main.narrow { max-width: 440px; }
    h1 { font-size: 1.6rem; margin: 0 0 1.25rem; }
    h2 { font-size: 1.2rem; margin: 0; }
    .card { background: var(--card); border: 1px solid var(--line); border-radius: var(--radius);
      padding: 1.5rem; margin-bottom: 1.25rem; box-shadow: 0 1px 2px rgba(16, 24, 40, .04); }
    .auth-card h1 { margin-bottom: .25rem; }
    .muted { color: var(--muted); margin: .25rem 0; }
    label { display: block; font-weight: 600; margin: 1rem 0 .35rem; }
    input[type=email], input[type=password], input[type=text], input[type=url], select, textarea {
      width: 100%; padding: .6rem .75rem; border: 1px solid #c9cfdb; border-radius: 8px; font: inherit; background: #fff; }
    input:focus, select:focus, button:focus-visible { outline: 3px solid rgba(52, 81, 209, .35); outline-offset: 1px; }
    button { font: inherit; cursor: pointer; }
    button.primary { background: var(--accent); color: #fff; border: 0; border-radius: 8px; padding: .65rem 1.25rem; font-weight: 600; }
    button.primary:hover { background: var(--accent-dark); }
    button.secondary { background: #fff; color: var(--text); border: 1px solid #c9cfdb; border-radius: 8px; padding: .65rem 1.25rem; font-weight: 600; }
    button.danger { background: #fff; color: var(--danger); border: 1px solid #f1b5ae; border-radius: 8px; padding: .4rem .9rem; }
    button.link { background: none; border: 0; color: var(--accent); padding: 0; }
    button.wide { width: 100%; margin-top: 1.5rem; }
    form.inline { display: inline; margin: 0; }
    .alert { background: var(--danger-bg); color: var(--danger); border: 1px solid #f4c7c2; border-radius: 8px; padding: .6rem .8rem; }
    .warning { background: var(--warn-bg); color: var(--warn); border-radius: 6px; padding: .15rem .5rem; font-size: .85rem; }
    .org-head { display: flex; justify-content: space-between; align-items: flex-start; gap: 1rem; margin-bottom: 1rem; }
    .badge { display: inline-block; font-size: .75rem; font-weight: 600; text-transform: uppercase; letter-spacing: .04em;
      padding: .2rem .55rem; border-radius: 999px; background: #eef1fb; color: var(--accent-dark); }
    .badge.role-owner { background: #e8f5ee; color: var(--ok); }
    .lang { display: inline-block; font-family: ui-monospace, monospace; font-size: .8rem; padding: .05rem .4rem;
      border: 1px solid var(--line); border-radius: 6px; background: #fafbfe; }
    .table-wrap { overflow-x: auto; }
    table { width: 100%; border-collapse: collapse; }
    th, td { text-align: left; padding: .6rem .5rem; border-top: 1px solid var(--line); vertical-align: top; }
    th { font-size: .8rem; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; border-top: 0; }
    .num { text-align: right; }
    .footer { text-align: center; color: var(--muted); font-size: .8rem; padding: 1.5rem; }
    @media (max-width: 540px) {
      main { padding: 1.25rem .75rem; }
      .card { padding: 1.1rem; }
      .topbar { padding: .6rem .9rem; }
      .who { display: none; }
    }
    """
}
