/**
 * The "Failure types" section: every FailureType of contract/failures.ts with its comment, whether
 * activity retry policies try again after it, and the primitives that state they raise it.
 */
import ts from 'typescript';
import { FailureType, nonRetryableFailureTypes } from '../../contract/failures.js';
import { code, table } from './markdown.js';
import { docOf, sourceFile, type Sources } from './sources.js';

export const failuresModule = 'contract/failures.ts';

/** Every failure type, in the order contract/failures.ts declares them. */
export const failureTypeNames: string[] = Object.keys(FailureType);

/** The comment of each `FailureType` member, by name. */
function memberDocs(sources: Sources): Map<string, string> {
  const file = sourceFile(sources, failuresModule);
  const symbol = file.statements
    .filter(ts.isVariableStatement)
    .flatMap((statement) => statement.declarationList.declarations)
    .find((declaration) => declaration.name.getText() === 'FailureType');
  const type = symbol && sources.checker.getTypeAtLocation(symbol);
  if (!type) throw new Error(`driver reference: ${failuresModule} declares no FailureType`);
  return new Map(type.getProperties().map((member) => [member.name, docOf(sources, member)]));
}

/** The section's Markdown; `raisedBy` maps a type to the primitives whose `@throws` tags name it. */
export function failureTypesSection(sources: Sources, raisedBy: Map<string, string[]>): string {
  const docs = memberDocs(sources);
  const rows = failureTypeNames.map((name) => {
    const primitives = raisedBy.get(name) ?? [];
    // Retry policies are the activities' (the primitives'): for a run's or an action's own failure the question does not arise.
    const retried =
      primitives.length === 0 ? '' : nonRetryableFailureTypes.includes(name as FailureType) ? 'no' : 'yes';
    return [code(name), docs.get(name) ?? '', retried, primitives.map(code).join(', ')];
  });
  return [
    '## Failure types',
    `The \`type\` of the \`ApplicationFailure\` a run, an action or a primitive fails with (${failuresModule}). ` +
      '_Retried_, for the types primitives raise, says whether the activity retry policy tries again after it ' +
      '(`nonRetryableFailureTypes` lists the types it does not). An action can throw `ApplicationFailure.create({ type, nonRetryable, message })` from ' +
      '`@temporalio/workflow` with one of these types itself.',
    table(['Type', 'Meaning', 'Retried', 'Raised by primitives'], rows),
  ].join('\n\n');
}
