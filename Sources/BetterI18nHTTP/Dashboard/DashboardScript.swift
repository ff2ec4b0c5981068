/// The dashboard's one script, served from our own origin (`script-src 'self'`): it saves a
/// key's values on the project page without reloading. Without it — script blocked or off —
/// the same forms post and the page reloads; the server renders both answers, so the script
/// only moves the server's HTML into place: the key's refreshed values with any error beside
/// its field (`role="alert"`), and the outcome in the key's `aria-live` status.
enum DashboardScript {
    static let source = #"""
    "use strict";
    document.addEventListener("submit", async (event) => {
      const form = event.target;
      if (!(form instanceof HTMLFormElement) || !form.classList.contains("key-form") || !window.fetch) return;
      event.preventDefault();
      const status = form.querySelector(".save-status");
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      status.textContent = "Saving…";
      try {
        const response = await fetch(form.action, {
          method: "POST", credentials: "same-origin", body: new URLSearchParams(new FormData(form)),
        });
        const page = new DOMParser().parseFromString(await response.text(), "text/html");
        const fresh = page.getElementById(form.closest("article.key").id);
        const values = form.querySelector(".values");
        if (fresh) {
          values.replaceWith(fresh.querySelector(".values"));
        } else {
          values.querySelectorAll(".field-error").forEach((error) => error.remove());
          values.querySelectorAll("[aria-invalid]").forEach((field) => field.removeAttribute("aria-invalid"));
          values.querySelectorAll(".invalid").forEach((box) => box.classList.remove("invalid"));
        }
        status.classList.toggle("failed", !response.ok);
        if (response.ok) {
          status.textContent = fresh ? (fresh.querySelector(".save-status").textContent || "Saved.")
            : "Saved. This key no longer matches the filters.";
        } else if (form.querySelector(".field-error")) {
          status.textContent = "Not saved: see the message below the marked value.";
          form.querySelector("[aria-invalid=true]").focus();
        } else {
          const reason = page.querySelector(".alert") || page.querySelector("main h1");
          status.textContent = "Not saved: " + (reason ? reason.textContent.trim() : "the server answered " + response.status + ".");
        }
      } catch (error) {
        status.classList.add("failed");
        status.textContent = "Not saved: the server could not be reached. Try again.";
      } finally {
        button.disabled = false;
      }
    });
    """#
}
