// @sightline/api: the HTTP API contract. The server's routes check their replies against these
// types (`satisfies`), and the dashboard reads the API through them only. Also the one formatter
// of numbers with their units, so a figure reads the same in the dashboard, the CLI and MCP answers.

export { SPAN_TYPES } from './span.js';
export type { CostSource, Dimension, Span, SpanType } from './span.js';
export { METRICS } from './query.js';
export type { AgentRow, AgentTableReply, Covered, Kpis, Metric, Overview, Point, Series, SeriesReply, TraceDetail, TraceNode, TraceSummary, TracesReply } from './query.js';
export { BAND_METRICS } from './insights.js';
export type {
  AgentDistribution,
  Anomaly,
  BandMethod,
  BandMetric,
  BandStatus,
  BaselineSpec,
  Cohort,
  CohortReport,
  CorrelatedFinding,
  CorrelationReport,
  CostBreakdown,
  DecisionReport,
  DecisionStats,
  PathReport,
  PathStats,
  Regression,
  RegressionReport,
  ScoredPoint,
} from './insights.js';
export { ALERT_STATES, SEVERITIES } from './alerts.js';
export type {
  Alert,
  AlertMetric,
  AlertReply,
  AlertStatus,
  AlertsReply,
  Condition,
  DeliveriesReply,
  Delivery,
  Evidence,
  EvidenceFinding,
  Labels,
  NotificationKind,
  Rule,
  RuleFilter,
  RuleReply,
  RulesReply,
  Severity,
  Silence,
  SilenceReply,
  SilencesReply,
} from './alerts.js';
export type { Incident, IncidentCause, IncidentMember, IncidentReply, IncidentsReply } from './incidents.js';
export type { DoctorFinding, DoctorOrphanExample, DoctorReport, DoctorSource, DoctorUnpricedModel, FindingTopic, Transport } from './doctor.js';
export type { ErrorCode, ErrorReply } from './errors.js';
export type { LiveEvents } from './live.js';
export type { BudgetPoint, BudgetReply, BudgetScope, BudgetsReply, BudgetView } from './budgets.js';
export type { SessionSummary, SessionsReply, UserSummary, UsersReply } from './sessions.js';
export { SCORE_KINDS, SCORE_SOURCES, SCORE_TARGETS } from './scores.js';
export type {
  Score,
  ScoreCreatedReply,
  ScoreGroupReport,
  ScoreInsightReply,
  ScoreKind,
  ScoreMeanEstimate,
  ScoreMeanTest,
  ScoreNameSummary,
  ScorePeriod,
  ScoreRollupPoint,
  ScoreRollupReply,
  ScoreSource,
  ScoreSummaryReply,
  ScoresReply,
  ScoreTarget,
  SessionScoresReply,
  TraceScoresReply,
} from './scores.js';
export {
  clampToMetric,
  formatBand,
  formatChange,
  formatClock,
  formatCompact,
  formatCount,
  formatCountOf,
  formatInterval,
  formatMetric,
  formatMetricChange,
  formatMs,
  formatPct,
  formatPoints,
  formatScoreChange,
  formatScoreMean,
  formatScoreValue,
  formatShareOf,
  formatTime,
  formatTokens,
  formatUsd,
  METRIC_LABEL,
  METRIC_NAME,
  metricName,
} from './units.js';
