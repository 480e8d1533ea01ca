// The one list of rules. Rule ids, the CLI's --list-rules, the docs inventory and the settings enum derive from it.
import type { Rule } from './rule.js';

// Each line imports one rule module from ./rules/<id>.ts. 
import requireConcurrentIndexCreation from './rules/require-concurrent-index-creation.js';
// imports: group A
// imports: group B
// imports: group C

export const allRules: readonly Rule<any>[] = [
  requireConcurrentIndexCreation,
  // rules: group A
  // rules: group B
  // rules: group C
];

export function ruleById(id: string): Rule<any> | undefined {
  return allRules.find((r) => r.id === id);
}
