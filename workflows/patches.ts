/** Patch ids that more than one workflow module checks; the others live beside their one use. */

/**
 * Runs, actions and locks say what they are (`StyrminKind`) and what they do (`StyrminSummary`);
 * workflows started before carry neither, and replay without them.
 */
export const kindAndSummaryPatch = 'kind-and-summary-search-attributes';
