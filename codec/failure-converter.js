// Plain CommonJS on purpose: the SDK loads this file by path with require() in clients and workers,
// and webpack bundles it into the workflow code, so it must load without a TypeScript loader.
const { DefaultFailureConverter } = require('@temporalio/common');

/**
 * Failure messages and stack traces travel as an encoded payload instead of clear text, so the
 * payload codec encrypts them like any other payload (an error message can quote stage data).
 */
module.exports.failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
