// NHS.UK frontend's own scripts: character counts, error summaries that take focus, buttons that
// are not pressed twice. Every page works without them.
import { initAll } from '/assets/nhsuk-frontend.min.js';

initAll();
