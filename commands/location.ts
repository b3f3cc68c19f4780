// One check for every storage location a command takes (/smallfiles <uri> and --compare, /missing, /triage
// --input), at ack time: no query string (a SAS token is a credential), a URI the scanners can
// read (parseObjectUri: bucket and container names, schemes), and no `.`/`..` path segments
// (object stores have no directories to climb out of: such a prefix only ever matches nothing).
import { parseObjectUri } from '../src/providers/object-uri.js';

export const SAS_PROBLEM =
  'give the location without a query string (a SAS token is a credential; the bot uses its own access)';

/** What is wrong with a location, in words for the user; undefined when it is fine. */
export function locationProblem(uri: string): string | undefined {
  if (/[?#]/.test(uri)) return SAS_PROBLEM;
  let prefix: string;
  try {
    prefix = parseObjectUri(uri).prefix;
  } catch (err) {
    return (err as Error).message;
  }
  if (prefix.split('/').some((s) => s === '..' || s === '.'))
    return 'the location must not contain "." or ".." path segments';
  return undefined;
}
