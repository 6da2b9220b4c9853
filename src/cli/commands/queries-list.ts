import { loadQueryLibrary, type StoredQuery } from '../../queries/library.js';
import { renderTerminalTable } from '../../report/incident-terminal-table.js';
import type { CommandIo } from '../io.js';

export interface QueriesListOptions {
  format?: 'table' | 'json';
}

/** `queries list`: the stored queries, as a table or as JSON for scripts. */
export async function queriesListCommand(opts: QueriesListOptions, io: CommandIo): Promise<StoredQuery[]> {
  const library = loadQueryLibrary();
  if (opts.format === 'json') {
    const entries = library.map((q) => ({
      name: q.name,
      description: q.description,
      needs: q.needs,
      params: q.params,
      version: q.version,
    }));
    io.stdout(`${JSON.stringify(entries, null, 2)}\n`);
    return library;
  }
  const width = io.stdoutIsTTY ? (process.stdout.columns ?? 120) : Number.MAX_SAFE_INTEGER;
  const rows = library.map((q) => [
    q.name,
    q.params.map((p) => (p.optional ? `${p.name}?` : p.name)).join(', '),
    q.description,
  ]);
  const lines = renderTerminalTable(
    [{ header: 'NAME' }, { header: 'PARAMS' }, { header: 'DESCRIPTION', flexible: true }],
    rows,
    width,
    undefined,
    '',
  );
  io.stdout(
    `${lines.join('\n')}\n\nRun one: eks-etcd-insights queries run NAME --log-file PATH (or --cluster NAME); see it: queries show NAME\n`,
  );
  return library;
}
