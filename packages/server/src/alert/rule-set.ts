// The rules in force for a project: built-ins (with config and API overrides), rules from the
// config file, and rules created through the API (persisted in the store).

import { SightlineError } from '../model/errors.js';
import type { AlertStore } from '../store/alert-store.js';
import { BUILTIN_IDS, BUILTIN_RULES } from './builtin-rules.js';
import type { AlertsConfig } from './config.js';
import { overrideRule, parseRule, type AlertRule, type RuleParse } from './rule.js';

export type RuleSource = 'builtin' | 'config' | 'api';

export interface RuleEntry {
  rule: AlertRule;
  source: RuleSource;
  /** A built-in rule changed through the API. */
  overridden: boolean;
}

type StoredRule = { kind: 'custom'; rule: AlertRule } | { kind: 'override'; override: Record<string, unknown> };

export type RuleRemoval = 'deleted' | 'not_found' | 'builtin' | 'config';

export interface RuleSet {
  load(): Promise<void>;
  forProject(project: string): RuleEntry[];
  /** Creates or replaces a custom rule, or overrides a built-in (partial body allowed). */
  put(project: string, input: unknown, now: number, id?: string): Promise<RuleParse & { source?: RuleSource }>;
  remove(project: string, id: string): Promise<RuleRemoval>;
}

export function createRuleSet(store: AlertStore, config: AlertsConfig): RuleSet {
  const builtins = BUILTIN_RULES.map((base) => {
    const o = config.builtin[base.id];
    if (!o) return base;
    const r = overrideRule(base, o, `alerts.builtin.${base.id}`);
    if (!r.ok) throw new SightlineError('CONFIG_INVALID', r.message);
    return r.rule;
  });
  for (const id of Object.keys(config.builtin)) {
    if (!BUILTIN_IDS.has(id)) throw new SightlineError('CONFIG_INVALID', `alerts.builtin.${id}: no such built-in rule (${[...BUILTIN_IDS].join(', ')})`);
  }
  const fromConfig = config.rules.map(({ project, ...rule }) => ({ project, rule: rule as AlertRule }));
  const stored = new Map<string, Map<string, StoredRule>>();
  const storedFor = (project: string) => {
    let m = stored.get(project);
    if (!m) stored.set(project, (m = new Map()));
    return m;
  };
  const isConfigRule = (project: string, id: string) => fromConfig.some((r) => r.project === project && r.rule.id === id);

  return {
    async load() {
      // Read before clearing: a reload (every few seconds on a follower node) never shows a rule set without API rules.
      const records = await store.listAlertRecords('rule');
      stored.clear();
      for (const r of records) storedFor(r.project).set(r.id, r.body as unknown as StoredRule);
    },
    forProject(project) {
      const mine = storedFor(project);
      const out: RuleEntry[] = builtins.map((rule) => {
        const s = mine.get(rule.id);
        if (s?.kind !== 'override') return { rule, source: 'builtin', overridden: false };
        const r = overrideRule(rule, s.override);
        return { rule: r.ok ? r.rule : rule, source: 'builtin', overridden: r.ok };
      });
      for (const c of fromConfig) if (c.project === project) out.push({ rule: c.rule, source: 'config', overridden: false });
      for (const s of mine.values()) if (s.kind === 'custom') out.push({ rule: s.rule, source: 'api', overridden: false });
      return out;
    },
    async put(project, input, now, id) {
      const body = (typeof input === 'object' && input !== null && !Array.isArray(input) ? input : {}) as Record<string, unknown>;
      const ruleId = id ?? (typeof body.id === 'string' ? body.id : undefined);
      if (id !== undefined && body.id !== undefined && body.id !== id) {
        return { ok: false, field: 'id', message: `id: "${String(body.id)}" differs from the id in the path ("${id}")` };
      }
      if (ruleId !== undefined && BUILTIN_IDS.has(ruleId)) {
        const base = builtins.find((b) => b.id === ruleId)!;
        const override = { ...body };
        delete override.id;
        const r = overrideRule(base, override);
        if (!r.ok) return r;
        await store.putAlertRecords('rule', [{ project, id: ruleId, updated_at: now, body: { kind: 'override', override } }]);
        storedFor(project).set(ruleId, { kind: 'override', override });
        return { ...r, source: 'builtin' };
      }
      if (ruleId?.startsWith('builtin.')) return { ok: false, field: 'id', message: `id: "builtin." is reserved for built-in rules (${[...BUILTIN_IDS].join(', ')})` };
      if (ruleId !== undefined && isConfigRule(project, ruleId)) {
        return { ok: false, field: 'id', message: `id: rule "${ruleId}" is defined in the config file; change it there` };
      }
      const r = parseRule({ ...body, ...(ruleId ? { id: ruleId } : {}) });
      if (!r.ok) return r;
      await store.putAlertRecords('rule', [{ project, id: r.rule.id, updated_at: now, body: { kind: 'custom', rule: r.rule } }]);
      storedFor(project).set(r.rule.id, { kind: 'custom', rule: r.rule });
      return { ...r, source: 'api' };
    },
    async remove(project, id) {
      const mine = storedFor(project);
      if (BUILTIN_IDS.has(id)) {
        // Deleting a built-in's override restores its defaults; the built-in itself stays (disable it instead).
        if (mine.get(id)?.kind !== 'override') return 'builtin';
      } else if (isConfigRule(project, id)) return 'config';
      if (!mine.has(id)) return 'not_found';
      await store.deleteAlertRecord('rule', project, id);
      mine.delete(id);
      return 'deleted';
    },
  };
}
