// The service's JavaScript: starts GOV.UK Frontend and MoJ Frontend on every page.
// Loaded by templates/base.html as an ES module (script-src 'self': the CSP allows
// no inline script). The imports are relative because build.mjs copies this file
// beside them in static/frontend/.
import { createAll, initAll as initGovuk } from "./govuk-frontend.min.js";
import { FilterToggleButton, initAll as initMoj } from "./moj-frontend.min.js";

/**
 * Start every component inside `scope`.
 *
 * MoJ's initAll leaves out the filter toggle, so it is started here. Its defaults
 * fit the MoJ filter layout markup: the toggle goes in `.moj-action-bar__filter`,
 * "Close" in `.moj-filter__header-action`. Below the desktop breakpoint it hides the
 * filter whatever `startHidden` says; `startHidden: true` would hide it on desktop
 * too (it is applied after the breakpoint check), where it belongs on the left.
 *
 * @param {Element | Document} scope
 */
function initComponents(scope) {
  initGovuk(scope);
  initMoj(scope);
  createAll(FilterToggleButton, { startHidden: false }, scope);
}

initComponents(document);

// htmx swaps in fresh markup (the caseload swaps its filter with its rows), whose
// components need starting too. Only the new markup: started elements refuse a second start.
document.body.addEventListener("htmx:load", (event) => {
  if (event.target !== document.body) {
    initComponents(event.target);
  }
});
