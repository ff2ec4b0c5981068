/// The project page's template. Every value is escaped by `{{…}}`; each form carries the
/// session's CSRF token and the list's filters, so a save comes back to the same page.
enum ProjectTemplates {
    static let hiddenFields = """
    <input type="hidden" name="csrf_token" value="{{csrf}}">
    {{#hidden}}<input type="hidden" name="q" value="{{search}}"><input type="hidden" name="namespace_filter" value="{{namespace}}"><input type="hidden" name="missing" value="{{missing}}"><input type="hidden" name="cursor" value="{{cursor}}">{{/hidden}}
    """

    static let project = """
    <nav class="crumbs" aria-label="Breadcrumb"><a href="/">Projects</a> <span aria-hidden="true">/</span> {{organizationName}} <span aria-hidden="true">/</span> <span aria-current="page">{{name}}</span></nav>
    <header class="page-head">
      <div>
        <h1>{{name}}</h1>
        <p class="muted"><code>{{organizationSlug}}/{{slug}}</code> · source <span class="lang">{{sourceLanguage}}</span> · {{keyCount}} keys</p>
      </div>
      {{#canAdminister}}<a class="button secondary" href="/orgs/{{organizationSlug}}/members">Members</a>{{/canAdminister}}
    </header>
    {{#flash}}<p class="notice" role="status">{{flash}}</p>{{/flash}}
    {{#notice}}<p class="alert" role="alert">{{notice}}</p>{{/notice}}

    <div class="project-grid">
    <section class="card" aria-labelledby="languages-heading">
      <h2 id="languages-heading">Languages</h2>
      <ul class="progress-list">
        {{#languages}}
        <li>
          <div class="lang-head"><span class="lang">{{code}}</span> <span class="lang-name">{{name}}</span>{{#isSource}} <span class="badge">source</span>{{/isSource}}</div>
          <progress max="100" value="{{percent}}" aria-label="{{name}}: {{percent}}% of keys have a value">{{percent}}%</progress>
          <span class="muted small">{{percent}}% · {{count}}/{{total}}</span>
        </li>
        {{/languages}}
      </ul>
      {{#canAdminister}}
      <form method="post" action="{{path}}/languages" class="row-form">
        \(hiddenFields)
        <label for="new-language">Add a language <span class="muted small">(BCP 47 code, such as <code>es</code> or <code>pt-BR</code>)</span></label>
        <div class="inline-fields">
          <input id="new-language" name="language" type="text" value="{{language}}" maxlength="35" required{{#languageError}} aria-invalid="true" aria-describedby="new-language-error"{{/languageError}}>
          <button type="submit" class="secondary">Add language</button>
        </div>
        {{#languageError}}<p class="field-error" id="new-language-error" role="alert">{{languageError}}</p>{{/languageError}}
      </form>
      {{/canAdminister}}
    </section>

    <section class="card" aria-labelledby="publish-heading" id="publish">
      <h2 id="publish-heading">Pending changes</h2>
      {{#hasPending}}
      <ul class="pending">
        {{#pending}}
        <li><details><summary><span class="lang">{{code}}</span> {{summary}}</summary>
          <ul class="names">{{#names}}<li><code>{{.}}</code></li>{{/names}}{{#hasMore}}<li class="muted">and {{more}} more</li>{{/hasMore}}</ul>
        </details></li>
        {{/pending}}
      </ul>
      {{/hasPending}}
      {{^hasPending}}<p class="muted">Nothing to publish: the CDN serves every value as it is now.</p>{{/hasPending}}
      {{#publishError}}<p class="alert" role="alert">{{publishError}}</p>{{/publishError}}
      {{#canAdminister}}
      <form method="post" action="{{path}}/publish" id="publish-form">
        <input type="hidden" name="csrf_token" value="{{csrf}}">
        <button type="submit" class="primary" {{^hasPending}}aria-describedby="publish-none"{{/hasPending}}>{{publishLabel}}</button>
        {{^hasPending}}<span id="publish-none" class="muted small">A new release with the same values.</span>{{/hasPending}}
      </form>
      {{/canAdminister}}
      {{^canAdminister}}<p class="muted small">Owners and admins publish.</p>{{/canAdminister}}
    </section>
    </div>

    <section class="card" aria-labelledby="keys-heading" id="keys">
      <h2 id="keys-heading">Keys</h2>
      <form method="get" action="{{path}}" class="filters" role="search">
        <div>
          <label for="filter-q">Search keys</label>
          <input id="filter-q" name="q" type="search" value="{{search}}" maxlength="200" placeholder="name contains…">
        </div>
        <div>
          <label for="filter-namespace">Namespace</label>
          <select id="filter-namespace" name="namespace">
            <option value=""{{#allNamespaces}} selected{{/allNamespaces}}>All namespaces</option>
            {{#namespaces}}<option value="{{name}}"{{#selected}} selected{{/selected}}>{{name}}</option>{{/namespaces}}
          </select>
        </div>
        <div>
          <label for="filter-missing">Missing in</label>
          <select id="filter-missing" name="missing">
            <option value=""{{#anyLanguage}} selected{{/anyLanguage}}>Any language</option>
            {{#missingLanguages}}<option value="{{code}}"{{#selected}} selected{{/selected}}>{{name}} ({{code}})</option>{{/missingLanguages}}
          </select>
        </div>
        <div class="filter-actions">
          <button type="submit" class="secondary">Filter</button>
          {{#filtered}}<a href="{{path}}#keys">Clear</a>{{/filtered}}
        </div>
      </form>

      {{^hasKeys}}
      <div class="empty">
        {{#pastEnd}}<p>This page is past the end of the list.</p><p><a href="{{firstURL}}">Back to the first page</a></p>{{/pastEnd}}
        {{^pastEnd}}{{#filtered}}<p>No key matches these filters.</p>{{/filtered}}{{^filtered}}<p>No keys yet: add the first one below.</p>{{/filtered}}{{/pastEnd}}
      </div>
      {{/hasKeys}}

      {{#keys}}
      <article class="key" id="key-{{id}}" aria-labelledby="key-{{id}}-name">
        <form method="post" action="{{path}}/keys/{{id}}/values" class="key-form">
          \(hiddenFields)
          <h3 class="key-name" id="key-{{id}}-name"><code>{{displayName}}</code></h3>
          {{#description}}<p class="muted small">{{description}}</p>{{/description}}
          <div class="values">
            {{#values}}
            <div class="value{{#error}} invalid{{/error}}{{#missing}} missing{{/missing}}">
              <label for="v-{{keyID}}-{{code}}"><span class="lang">{{code}}</span> {{name}}{{#missing}} <span class="missing-tag">missing</span>{{/missing}}</label>
              <textarea id="v-{{keyID}}-{{code}}" name="value.{{code}}" rows="2"{{#error}} aria-invalid="true" aria-describedby="e-{{keyID}}-{{code}}"{{/error}}>\n{{value}}</textarea>
              {{#error}}<p class="field-error" id="e-{{keyID}}-{{code}}" role="alert">{{message}}{{#hasOffset}} — at character {{position}}: <code class="excerpt">{{before}}<mark>{{at}}</mark>{{after}}</code>{{/hasOffset}}</p>{{/error}}
            </div>
            {{/values}}
          </div>
          <div class="key-actions">
            <button type="submit" class="primary">Save</button>
            <span class="save-status" aria-live="polite">{{saved}}</span>
          </div>
        </form>
        <details class="manage"{{#open}} open{{/open}}>
          <summary>Rename or delete</summary>
          <form method="post" action="{{path}}/keys/{{id}}/rename" class="rename-form">
            \(hiddenFields)
            <div>
              <label for="rn-{{id}}">Name</label>
              <input id="rn-{{id}}" name="name" type="text" value="{{renameName}}" required maxlength="500"{{#renameNameError}} aria-invalid="true" aria-describedby="rn-{{id}}-error"{{/renameNameError}}>
              {{#renameNameError}}<p class="field-error" id="rn-{{id}}-error" role="alert">{{renameNameError}}</p>{{/renameNameError}}
            </div>
            <div>
              <label for="rns-{{id}}">Namespace</label>
              <input id="rns-{{id}}" name="namespace" type="text" value="{{renameNamespace}}" maxlength="100"{{#renameNamespaceError}} aria-invalid="true" aria-describedby="rns-{{id}}-error"{{/renameNamespaceError}}>
              {{#renameNamespaceError}}<p class="field-error" id="rns-{{id}}-error" role="alert">{{renameNamespaceError}}</p>{{/renameNamespaceError}}
            </div>
            <button type="submit" class="secondary">Rename</button>
          </form>
          <form method="post" action="{{path}}/keys/{{id}}/delete" class="delete-form">
            \(hiddenFields)
            <button type="submit" class="danger">Delete key <span class="visually-hidden">{{displayName}}</span></button>
          </form>
        </details>
      </article>
      {{/keys}}

      <nav class="pager" aria-label="Pages of keys">
        {{#firstURL}}<a href="{{firstURL}}">First page</a>{{/firstURL}}
        {{#nextURL}}<a href="{{nextURL}}" rel="next">Next page</a>{{/nextURL}}
      </nav>

      <form method="post" action="{{path}}/keys" class="add-key" id="add-key">
        \(hiddenFields)
        <h3>Add a key</h3>
        {{#addKey}}
        <div class="add-grid">
          <div>
            <label for="new-key-name">Name</label>
            <input id="new-key-name" name="name" type="text" value="{{name}}" required maxlength="500" placeholder="checkout.title"{{#addKeyNameError}} aria-invalid="true" aria-describedby="new-key-name-error"{{/addKeyNameError}}>
            {{#addKeyNameError}}<p class="field-error" id="new-key-name-error" role="alert">{{addKeyNameError}}</p>{{/addKeyNameError}}
          </div>
          <div>
            <label for="new-key-namespace">Namespace <span class="muted small">(optional)</span></label>
            <input id="new-key-namespace" name="namespace" type="text" value="{{namespace}}" maxlength="100" placeholder="default"{{#addKeyNamespaceError}} aria-invalid="true" aria-describedby="new-key-namespace-error"{{/addKeyNamespaceError}}>
            {{#addKeyNamespaceError}}<p class="field-error" id="new-key-namespace-error" role="alert">{{addKeyNamespaceError}}</p>{{/addKeyNamespaceError}}
          </div>
          <div class="span-2">
            <label for="new-key-value">Value in {{sourceLanguage}} <span class="muted small">(optional)</span></label>
            <textarea id="new-key-value" name="value" rows="2"{{#addKeyValueError}} aria-invalid="true" aria-describedby="new-key-value-error"{{/addKeyValueError}}>{{value}}</textarea>
            {{#addKeyValueError}}<p class="field-error" id="new-key-value-error" role="alert">{{addKeyValueError}}</p>{{/addKeyValueError}}
          </div>
        </div>
        {{/addKey}}
        <button type="submit" class="secondary">Add key</button>
      </form>
    </section>

    <section class="card" aria-labelledby="releases-heading" id="releases">
      <h2 id="releases-heading">Releases</h2>
      <p class="muted small">The CDN's latest manifest: <a href="{{latestManifest}}"><code>{{latestManifest}}</code></a></p>
      {{#hasReleases}}
      <div class="table-wrap">
      <table>
        <thead><tr><th scope="col">Version</th><th scope="col">Published</th><th scope="col">Files</th></tr></thead>
        <tbody>
        {{#releases}}
          <tr>
            <td><a href="{{manifestURL}}">v{{version}}</a></td>
            <td>{{publishedAt}}</td>
            <td class="files">{{#files}}<a class="lang" href="{{url}}">{{code}}</a> {{/files}}</td>
          </tr>
        {{/releases}}
        </tbody>
      </table>
      </div>
      {{/hasReleases}}
      {{^hasReleases}}<p class="muted">Nothing published yet.</p>{{/hasReleases}}
    </section>
    """
}
