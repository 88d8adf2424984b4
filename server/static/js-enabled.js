// Marks the page as having scripts, as NHS.UK frontend expects, before the body is drawn (a file,
// not an inline script: the Content-Security-Policy runs only Formwork's own files).
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' nhsuk-frontend-supported' : '');
