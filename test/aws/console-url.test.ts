import { describe, expect, it } from 'vitest';
import { consoleHost, encodeJsurl, logsInsightsConsoleUrl } from '../../src/aws/console-url.js';

describe('encodeJsurl (JSURL v1, aws-facts D)', () => {
  it('encodes objects, arrays, strings, numbers and booleans', () => {
    expect(encodeJsurl({ end: 0, start: -3600, timeType: 'RELATIVE', unit: 'seconds' })).toBe(
      "~(end~0~start~-3600~timeType~'RELATIVE~unit~'seconds)",
    );
    expect(encodeJsurl(['a', 'b'])).toBe("~(~'a~'b)");
    expect(encodeJsurl([])).toBe('~()');
    expect(encodeJsurl({ isLiveTail: false, on: true, none: null })).toBe(
      '~(isLiveTail~false~on~true~none~null)',
    );
  });

  it('escapes with lowercase hex, ! for $, and ** for code units above 0xFF', () => {
    expect(encodeJsurl('a b@|\n,:/"\'*($')).toBe("~'a*20b*40*7c*0a*2c*3a*2f*22*27*2a*28!");
    expect(encodeJsurl('Keep_.-09')).toBe("~'Keep_.-09");
    expect(encodeJsurl('é€')).toBe("~'*e9**20ac");
    // An astral character is two UTF-16 code units, each escaped.
    expect(encodeJsurl('😀')).toBe("~'**d83d**de00");
  });

  it('escapes keys too and skips undefined values', () => {
    expect(encodeJsurl({ 'a b': 'x', gone: undefined })).toBe("~(a*20b~'x)");
  });
});

describe('logsInsightsConsoleUrl', () => {
  it('reproduces the captured console URL', () => {
    const url = logsInsightsConsoleUrl({
      region: 'us-west-2',
      logGroups: ['arn:aws:logs:us-west-2:123456789012:log-group:my-group'],
      queryString: 'fields @timestamp, @message\n| sort @timestamp desc',
      startMs: Date.parse('2025-05-30T04:00:00.000Z'),
      endMs: Date.parse('2025-05-30T05:00:00.000Z'),
      queryId: '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
      tz: 'LOCAL',
    });
    expect(url).toBe(
      'https://us-west-2.console.aws.amazon.com/cloudwatch/home?region=us-west-2#logsV2:logs-insights$3FqueryDetail$3D' +
        "~(end~'2025-05-30T05*3a00*3a00.000Z~start~'2025-05-30T04*3a00*3a00.000Z~timeType~'ABSOLUTE~tz~'LOCAL" +
        "~editorString~'fields*20*40timestamp*2c*20*40message*0a*7c*20sort*20*40timestamp*20desc" +
        "~queryId~'0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0" +
        "~source~(~'arn*3aaws*3alogs*3aus-west-2*3a123456789012*3alog-group*3amy-group)~lang~'CWLI)",
    );
  });

  it('writes a log group name source, UTC by default and no queryId when unknown', () => {
    const url = logsInsightsConsoleUrl({
      region: 'eu-west-1',
      logGroups: ['/aws/eks/prod/cluster'],
      queryString: 'stats count(*)',
      startMs: 0,
      endMs: 1000,
    });
    expect(url).toContain(
      "~tz~'UTC~editorString~'stats*20count*28*2a*29~source~(~'*2faws*2feks*2fprod*2fcluster)~lang~'CWLI)",
    );
    expect(url).not.toContain('queryId');
    expect(url.startsWith('https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#')).toBe(
      true,
    );
  });

  it('uses the GovCloud and China console hosts', () => {
    expect(consoleHost('us-gov-west-1')).toBe('us-gov-west-1.console.amazonaws-us-gov.com');
    expect(consoleHost('cn-north-1')).toBe('cn-north-1.console.amazonaws.cn');
    expect(consoleHost('ap-south-1')).toBe('ap-south-1.console.aws.amazon.com');
  });
});
