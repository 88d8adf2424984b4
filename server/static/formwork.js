// Formwork's own script, a module (the pages work without it):
// - NHS.UK frontend's scripts: character counts, error summaries that take focus, buttons that are
//   not pressed twice;
// - the view beacon: it records that a person has seen a document they were asked to sign. The
//   page carries `data-view-beacon` (where to POST, with the form's CSRF token), and the POST goes
//   once the page is on screen and the person has done something on it (moved the pointer,
//   scrolled, touched, pressed a key). A mail scanner that fetches the link, or one that renders
//   the page and leaves it, records nothing.
import { initAll } from '/assets/nhsuk-frontend.min.js';

initAll();

const beacon = document.querySelector('[data-view-beacon]');
if (beacon) {
  const url = beacon.getAttribute('data-view-beacon');
  const csrf = beacon.getAttribute('data-csrf') || '';
  const events = ['pointermove', 'pointerdown', 'keydown', 'wheel', 'touchstart', 'scroll'];
  let sent = false;
  const send = () => {
    if (sent || document.visibilityState !== 'visible') return;
    sent = true;
    for (const name of events) window.removeEventListener(name, send, true);
    fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      keepalive: true,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: '_csrf=' + encodeURIComponent(csrf),
    }).catch(() => {
      // a view not recorded is not worth troubling the reader with
    });
  };
  for (const name of events) window.addEventListener(name, send, { capture: true, passive: true });
}
