// Helpers shared by the page scripts.

// Data the server embeds in <script type="application/json" id="..."> (escaped by Jinja's tojson).
export function readJson(id) {
  const element = document.getElementById(id);
  return element ? JSON.parse(element.textContent) : null;
}

export function showError(error) {
  const box = document.querySelector('.diagram-error');
  if (box) {
    box.hidden = false;
    box.querySelector('span').textContent = error && error.message ? error.message : String(error);
  }
}
