import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { compileQuery, parseQuery, QueryError } from '../../src/insights/index.js';

function errorOf(query: string): QueryError {
  try {
    compileQuery(query);
  } catch (err) {
    if (err instanceof QueryError) return err;
    throw err;
  }
  throw new Error(`expected a QueryError for ${query}`);
}

describe('QueryError.format', () => {
  it('pins the caret layout', () => {
    const e = errorOf('fields verb | filter = "x"');
    expect(e.code).toBe('Q2003');
    expect(e.span).toEqual({ start: 21, end: 22 });
    expect(e.format()).toBe(
      [
        'error[Q2003]: expected an expression, found "="',
        ' --> query:1:22',
        '  |',
        '1 | fields verb | filter = "x"',
        '  |                      ^',
      ].join('\n'),
    );
  });

  it('underlines the whole span', () => {
    const e = errorOf('fields verb | flter verb = "x"');
    expect(e.format().split('\n').slice(-2)).toEqual([
      '1 | fields verb | flter verb = "x"',
      '  |               ^^^^^',
    ]);
  });

  it('points at the right line and column of a multi-line query, widening the gutter', () => {
    const query = `fields verb\n${'| limit 1\n'.repeat(8)}| frobnicate`;
    const e = errorOf(query);
    expect(e.format()).toBe(
      [
        'error[Q2001]: unknown command "frobnicate"',
        '  --> query:10:3',
        '   |',
        '10 | | frobnicate',
        '   |   ^^^^^^^^^^',
      ].join('\n'),
    );
  });

  it('puts the caret after the last character at the end of the query', () => {
    const e = errorOf('filter verb =');
    expect(e.format().split('\n').slice(-1)[0]).toBe('  |              ^');
  });

  it('replaces control characters so the caret stays aligned and the terminal is safe', () => {
    const e = errorOf('filter verb = "\u001b[31m" | bogus');
    const lines = e.format().split('\n');
    expect(lines[3]).toBe('1 | filter verb = "?[31m" | bogus');
    expect(lines[4]).toBe('  |                         ^^^^^');
    expect(e.format()).not.toContain('\u001b');
  });

  it('is an AppError with exit code 3 and keeps the query', () => {
    const e = errorOf('limit 0');
    expect(e).toBeInstanceOf(AppError);
    expect(e.exitCode).toBe(3);
    expect(e.query).toBe('limit 0');
    expect(e.message).toContain('Q2007');
  });

  it('parseQuery reports syntax but not semantic errors', () => {
    expect(() => parseQuery('fields foo(verb)')).not.toThrow();
    expect(() => compileQuery('fields foo(verb)')).toThrow(QueryError);
  });
});
