extension Templates {
    static let webhooks = """
    <h1>Webhooks</h1>
    <p class="muted">Better i18n POSTs each event to your URL, signed as Standard Webhooks define it (<code>webhook-id</code>, <code>webhook-timestamp</code>, <code>webhook-signature</code>), and retries for a day when your endpoint fails.</p>
    {{#error}}<p class="alert" role="alert">{{error}}</p>{{/error}}
    {{#secret}}
    <section class="card secret-once" role="status">
      <h2>Signing secret</h2>
      <p>Copy it now: it is shown only once.</p>
      <p><code class="secret">{{.}}</code></p>
    </section>
    {{/secret}}
    {{^hasOrganizations}}<p class="muted">Only owners and admins of an organization manage its webhooks.</p>{{/hasOrganizations}}
    {{#organizations}}
    <section class="card">
      <h2>{{name}}</h2>
      <div class="table-wrap"><table class="webhooks">
        <thead><tr><th>URL</th><th>Events</th><th>Project</th><th>Status</th></tr></thead>
        <tbody>
        {{#webhooks}}
        <tr><td><a href="/settings/webhooks/{{id}}"><code>{{url}}</code></a></td><td>{{events}}</td><td>{{project}}</td><td>{{status}}</td></tr>
        {{/webhooks}}
        </tbody>
      </table></div>
      <form method="post" action="/settings/webhooks" class="new-webhook">
        <input type="hidden" name="csrf_token" value="{{csrf}}">
        <input type="hidden" name="organization" value="{{id}}">
        <label for="url-{{id}}">Endpoint URL</label>
        <input id="url-{{id}}" name="url" type="url" required placeholder="https://example.com/hooks/better-i18n">
        <fieldset>
          <legend>Events <span class="muted">(none checked: all)</span></legend>
          {{#eventTypes}}<label class="choice"><input type="checkbox" name="events" value="{{.}}"> <code>{{.}}</code></label>{{/eventTypes}}
        </fieldset>
        <label for="project-{{id}}">Project</label>
        <select id="project-{{id}}" name="project">
          <option value="">All projects</option>
          {{#projects}}<option value="{{id}}">{{name}}</option>{{/projects}}
        </select>
        <button type="submit" class="primary">Add webhook</button>
      </form>
    </section>
    {{/organizations}}
    """

    static let webhook = """
    <p><a href="{{#isApp}}/settings/apps{{/isApp}}{{^isApp}}/settings/webhooks{{/isApp}}">← back</a></p>
    <h1>Webhook</h1>
    <p><code>{{url}}</code> · {{owner}} · <strong>{{status}}</strong></p>
    {{#disabledForFailures}}<p class="alert" role="alert">Every delivery failed for 3 days, so this webhook was disabled. Fix the endpoint, then enable it again.</p>{{/disabledForFailures}}
    {{#flash}}<p class="notice" role="status">{{flash}}</p>{{/flash}}
    {{#secret}}
    <section class="card secret-once" role="status">
      <h2>New signing secret</h2>
      <p>Copy it now: it is shown only once. For 24 hours deliveries carry signatures with the old and the new secret.</p>
      <p><code class="secret">{{.}}</code></p>
    </section>
    {{/secret}}
    {{#previousSecretUntil}}<p class="muted">The previous secret still signs until {{.}}.</p>{{/previousSecretUntil}}
    <div class="actions">
      <form method="post" action="/settings/webhooks/{{webhookID}}/rotate" class="inline">
        <input type="hidden" name="csrf_token" value="{{csrf}}">
        <button type="submit" class="secondary">Rotate secret</button>
      </form>
      <form method="post" action="/settings/webhooks/{{webhookID}}/enabled" class="inline">
        <input type="hidden" name="csrf_token" value="{{csrf}}">
        {{#enabled}}<input type="hidden" name="enabled" value="0"><button type="submit" class="secondary">Disable</button>{{/enabled}}
        {{^enabled}}<input type="hidden" name="enabled" value="1"><button type="submit" class="secondary">Enable</button>{{/enabled}}
      </form>
      {{^isApp}}
      <form method="post" action="/settings/webhooks/{{webhookID}}/test" class="inline">
        <input type="hidden" name="csrf_token" value="{{csrf}}">
        <button type="submit" class="secondary">Send test</button>
      </form>
      {{/isApp}}
      <form method="post" action="/settings/webhooks/{{webhookID}}/delete" class="inline">
        <input type="hidden" name="csrf_token" value="{{csrf}}">
        <button type="submit" class="danger">Delete</button>
      </form>
    </div>
    <h2 class="section">Deliveries</h2>
    {{^hasDeliveries}}<p class="muted">Nothing delivered yet.</p>{{/hasDeliveries}}
    {{#deliveries}}
    <section class="card delivery">
      <p><code>{{type}}</code> · <code>{{eventID}}</code> · {{createdAt}} · <strong>{{state}}</strong>{{#nextAttempt}} · next attempt {{.}}{{/nextAttempt}}</p>
      <div class="table-wrap"><table class="attempts">
        <thead><tr><th>Time</th><th>Status</th><th>Duration</th><th>Answer (first 1 KB)</th></tr></thead>
        <tbody>
        {{#attempts}}<tr><td>{{at}}</td><td>{{status}}</td><td>{{duration}}</td><td><pre>{{response}}</pre></td></tr>{{/attempts}}
        </tbody>
      </table></div>
      <form method="post" action="/settings/webhooks/{{webhookID}}/redeliver" class="inline">
        <input type="hidden" name="csrf_token" value="{{csrf}}">
        <input type="hidden" name="delivery" value="{{deliveryID}}">
        <button type="submit" class="secondary">Redeliver</button>
      </form>
    </section>
    {{/deliveries}}
    """
}
