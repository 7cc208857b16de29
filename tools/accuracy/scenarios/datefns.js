// date-fns: RangeErrors for invalid tokens and invalid dates, and a TypeError from deep inside
// the formatter when a locale is incomplete.
import { format, formatISO, formatDistanceStrict, addDays, formatRelative } from 'date-fns';
import { runCases } from './harness.js';

function formatReport(date, pattern) {
  return `Report for ${formatDay(date, pattern)}`;
}

function formatDay(date, pattern) {
  return format(date, pattern);
}

const stamp = (value) => formatISO(new Date(value));

class Timeline {
  constructor(events) {
    this.events = events;
  }

  describe(now) {
    return this.events.map((event) => formatDistanceStrict(event.at, now));
  }
}

const brokenLocale = {
  code: 'xx',
  localize: {},
};

async function renderInvoiceDate(day) {
  await Promise.resolve();
  return format(addDays(day, 30), 'PPPP', { locale: brokenLocale });
}

function describeShift(start, end) {
  return `shift ${formatRelative(end, start)}`;
}

const day = new Date(2024, 0, 15, 10, 30);

runCases('datefns', [
  ['bad-token', () => formatReport(day, "yyyy-MM-dd 'at' HH:mm j")],
  ['invalid-date', () => formatReport(new Date(NaN), 'yyyy-MM-dd')],
  ['iso-invalid', () => stamp('not a date')],
  ['timeline', () => new Timeline([{ at: day }, { at: new Date('2024-99-99') }]).describe(day)],
  ['broken-locale', () => renderInvoiceDate(day)],
  ['relative-invalid', () => describeShift(day, new Date(NaN))],
]);
