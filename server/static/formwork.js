// Formwork's only script (the pages work without it). It records that a person has seen a
// document they were asked to sign: the page carries `data-view-beacon` (where to POST, with the
// form's CSRF token), and the POST goes once the page is on screen and the person has done
// something on it (moved the pointer, scrolled, touched, pressed a key). A mail scanner that
// fetches the link, or one that renders the page and leaves it, records nothing.
(function () {
  'use strict';
  var beacon = document.querySelector('[data-view-beacon]');
  if (!beacon) return;
  var url = beacon.getAttribute('data-view-beacon');
  var csrf = beacon.getAttribute('data-csrf') || '';
  var events = ['pointermove', 'pointerdown', 'keydown', 'wheel', 'touchstart', 'scroll'];
  var sent = false;

  function send() {
    if (sent || document.visibilityState !== 'visible') return;
    sent = true;
    events.forEach(function (name) {
      window.removeEventListener(name, send, true);
    });
    fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      keepalive: true,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: '_csrf=' + encodeURIComponent(csrf),
    }).catch(function () {
      // a view not recorded is not worth troubling the reader with
    });
  }

  events.forEach(function (name) {
    window.addEventListener(name, send, { capture: true, passive: true });
  });
})();
