/**
 * Text helpers for channel formats: receivers count length in characters, and a cut must never
 * split a character (a lone surrogate is invalid JSON text for some parsers and shows as �) nor a
 * grapheme (a flag or a family emoji cut in half shows as something else).
 */

export const ELLIPSIS = '…';

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/**
 * `text` if it fits in `max` UTF-16 code units, else its longest prefix of whole graphemes that
 * fits with an ellipsis. Counting code units bounds code points too, so the result fits either
 * way a receiver counts.
 */
export function truncate(text: string, max: number): string {
  return truncateEscaped(text, max, (segment) => segment);
}

/** Slack's control characters in mrkdwn; everything else is left as written. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

/**
 * User text for a Slack mrkdwn field of at most `max` characters: escaped, then cut between
 * graphemes of the original so no `&amp;` is ever cut into `&am`.
 */
export function mrkdwnText(text: string, max: number): string {
  return truncateEscaped(text, max, escapeMrkdwn);
}

function truncateEscaped(text: string, max: number, render: (segment: string) => string): string {
  const whole = render(text);
  if (whole.length <= max) return whole;
  const budget = max - ELLIPSIS.length;
  let out = '';
  for (const { segment } of graphemes.segment(text)) {
    const escaped = render(segment);
    if (out.length + escaped.length > budget) break;
    out += escaped;
  }
  return out + ELLIPSIS;
}
