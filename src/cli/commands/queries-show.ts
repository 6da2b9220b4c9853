import { getStoredQuery, type StoredQuery } from '../../queries/library.js';
import { sanitizeForTerminal } from '../../report/terminal-text.js';
import type { CommandIo } from '../io.js';

export interface QueriesShowOptions {
  name: string;
}

/** `queries show NAME`: the stored query file, header included, as it ships. */
export async function queriesShowCommand(opts: QueriesShowOptions, io: CommandIo): Promise<StoredQuery> {
  const query = getStoredQuery(opts.name);
  const text = sanitizeForTerminal(query.source);
  io.stdout(text.endsWith('\n') ? text : `${text}\n`);
  return query;
}
