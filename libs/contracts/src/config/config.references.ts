import { problemAt } from '../common/problem.util';

import type { Problem } from '../common/problem.util';

/** The notify target that means "the contact whose id is the conversation's team". */
export const TEAM_CONTACT = 'team';

type RawList = unknown[] | undefined;

function listOf(doc: Record<string, unknown>, key: string): RawList {
  return Array.isArray(doc[key]) ? (doc[key] as unknown[]) : undefined;
}

function field(item: unknown, key: string): unknown {
  return typeof item === 'object' && item !== null ? (item as Record<string, unknown>)[key] : undefined;
}

/** Reports every repeated id in a list, naming where it was first used. */
function uniqueIds(listName: string, list: RawList, problems: Problem[]): Set<string> {
  const firstIndex = new Map<string, number>();
  list?.forEach((item, index) => {
    const id = field(item, 'id');
    if (typeof id !== 'string') return;
    const first = firstIndex.get(id);
    if (first !== undefined) problems.push(problemAt([listName, index, 'id'], id, `is already used by ${listName}[${first}]`));
    else firstIndex.set(id, index);
  });
  return new Set(firstIndex.keys());
}

/**
 * The rules zod cannot see item by item: ids unique in their list and every reference
 * (`calendar`, a contact in `notify`) defined. Works on the raw document so that these
 * problems are reported together with the others.
 */
export function referenceProblems(raw: unknown): Problem[] {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return [];
  const doc = raw as Record<string, unknown>;
  const problems: Problem[] = [];
  const calendars = uniqueIds('calendars', listOf(doc, 'calendars'), problems);
  uniqueIds('policies', listOf(doc, 'policies'), problems);
  const contacts = uniqueIds('contacts', listOf(doc, 'contacts'), problems);
  uniqueIds('escalations', listOf(doc, 'escalations'), problems);

  const checkCalendar = (listName: string, list: RawList) =>
    list?.forEach((item, index) => {
      const calendar = field(item, 'calendar');
      if (typeof calendar === 'string' && !calendars.has(calendar)) {
        problems.push(problemAt([listName, index, 'calendar'], calendar, 'is not a defined calendar'));
      }
    });
  checkCalendar('policies', listOf(doc, 'policies'));
  checkCalendar('escalations', listOf(doc, 'escalations'));

  listOf(doc, 'escalations')?.forEach((escalation, e) => {
    const levels = field(escalation, 'levels');
    if (!Array.isArray(levels)) return;
    levels.forEach((level, l) => {
      const notify = field(level, 'notify');
      if (!Array.isArray(notify)) return;
      notify.forEach((target, n) => {
        if (typeof target === 'string' && target !== TEAM_CONTACT && !contacts.has(target)) {
          problems.push(problemAt(['escalations', e, 'levels', l, 'notify', n], target, 'is not a defined contact (nor "team")'));
        }
      });
    });
  });
  return problems;
}
