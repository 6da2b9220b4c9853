/**
 * The tables every document-style report (HTML, Markdown) shows, as plain data: headers, rows of raw
 * text (escaping is the renderer's job) and which columns are numeric (right-aligned).
 */
import type { IncidentReport } from '../analysis/incident-report.js';
import {
  formatBytes,
  formatCount,
  formatGrowth,
  formatShare,
  qualifiedResource,
  remediationScope,
} from './incident-text.js';

export interface TableModel {
  headers: string[];
  rows: string[][];
  numeric: number[];
}

export function topWritersTable(report: IncidentReport): TableModel {
  return {
    headers: ['#', 'User', 'User agent', 'Resource', 'Namespace', 'Writes', 'Share', 'Growth'],
    rows: report.topWriters.map((w, i) => [
      String(i + 1),
      w.user,
      w.userAgent,
      qualifiedResource(w.resource, w.apiGroup),
      w.namespace,
      formatCount(w.writes),
      formatShare(w.share),
      formatGrowth(w.growth),
    ]),
    numeric: [0, 5, 6, 7],
  };
}

export function objectGrowthTable(report: IncidentReport): TableModel {
  return {
    headers: ['Resource', 'API version', 'Namespace', 'Creates', 'Deletes', 'Net'],
    rows: report.objectGrowth.map((g) => [
      qualifiedResource(g.resource, g.apiGroup),
      g.apiVersion,
      g.namespace,
      formatCount(g.creates),
      formatCount(g.deletes),
      formatCount(g.net),
    ]),
    numeric: [3, 4, 5],
  };
}

export function strainByUserAgentTable(strain: IncidentReport['strain']): TableModel {
  return {
    headers: ['User agent', '5xx', '429'],
    rows: strain.byUserAgent.map((s) => [s.userAgent, formatCount(s.serverErrors), formatCount(s.throttled)]),
    numeric: [1, 2],
  };
}

export function databaseEndpointsTable(size: NonNullable<IncidentReport['databaseSize']>): TableModel {
  return {
    headers: ['Endpoint', 'Size', 'Of limit'],
    rows: size.endpoints.map((e) => [e.endpoint, formatBytes(e.bytes), formatShare(e.fractionOfLimit)]),
    numeric: [1, 2],
  };
}

export function storedObjectsTable(size: NonNullable<IncidentReport['databaseSize']>): TableModel {
  return {
    headers: ['Stored objects', 'Count'],
    rows: size.objectCounts.map((c) => [c.resource, formatCount(c.count)]),
    numeric: [1],
  };
}

export function remediationNamespacesTable(fix: NonNullable<IncidentReport['remediation']>): TableModel {
  return {
    headers: ['Namespace', 'Net objects'],
    rows: (fix.namespaces ?? []).map((n) => [remediationScope(n.namespace), formatCount(n.net)]),
    numeric: [1],
  };
}
