import { describe, expect, test } from 'vitest';
import { detectFormat } from '../../src/sources/readers/detect-format.js';
import { auditLine } from './read-helpers.js';

const detect = (text: string): string => detectFormat(Buffer.from(text));

describe('detectFormat', () => {
  test.each([
    ['an audit log', `${auditLine()}\n${auditLine()}\n`, 'audit'],
    ['an audit log whose first line is broken', `{"kind":"Ev\n${auditLine()}\n`, 'audit'],
    ['a v1beta1 event without apiVersion', '{"verb":"get","timestamp":"2017-09-11T19:55:05Z"}\n', 'audit'],
    ['filter-log-events, pretty-printed', '{\n    "events": [\n', 'filter-log-events'],
    ['filter-log-events, other key first', '{"searchedLogStreams": [], "events": []}', 'filter-log-events'],
    ['a bare events array', '[\n  {"timestamp": 1, "message": "x"}\n]', 'filter-log-events'],
    [
      'CloudWatch JSON lines',
      '{"timestamp": 1718334000123, "logStream": "kube-apiserver-audit-1", "message": "{}"}\n',
      'cloudwatch-jsonl',
    ],
    [
      'CloudWatch JSON lines with logStreamName',
      '{"timestamp": 1, "logStreamName": "s", "message": "m"}\n',
      'cloudwatch-jsonl',
    ],
    ['the S3 export format', '2024-06-14T03:00:00.123Z {"kind":"Event"}\n', 's3-export'],
    ['a byte-order mark first', `\ufeff${auditLine()}\n`, 'audit'],
    ['only whitespace', ' \n\r\n\t\n', 'empty'],
    ['nothing', '', 'empty'],
    ['a README', '# Title\n\nSome text.\n', 'unknown'],
  ])('%s', (_, text, format) => {
    expect(detect(text)).toBe(format);
  });

  test('an audit event that has a message field is still an audit event', () => {
    expect(detect(`${auditLine({ message: 'x', logStream: 'y', timestamp: 'z' })}\n`)).toBe('audit');
  });
});
