import { describe, expect, it } from 'vitest';
import { SLACK_LIMITS, type SlackBlock, slackMessage } from '#lib/notify/slack.ts';
import { escapeMrkdwn, mrkdwnText, truncate } from '#lib/notify/text.ts';
import { alertNotification } from './fixtures.ts';

const textsOf = (blocks: SlackBlock[]) =>
  blocks.flatMap((block) => {
    if (block.type === 'header') return [block.text.text];
    if (block.type === 'context') return block.elements.map((element) => element.text);
    return 'fields' in block ? block.fields.map((field) => field.text) : [block.text.text];
  });

describe('Slack messages', () => {
  it('carry title, metric, value vs threshold, window, tenant, project and a link back, with a text fallback', () => {
    const notification = alertNotification();
    const message = slackMessage(notification);
    expect(message.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: '🔴 Firing: Error rate above 5 % on checkout', emoji: true },
    });
    const all = textsOf(message.blocks).join('\n');
    expect(all).toContain('*Metric*\nerror_rate');
    expect(all).toContain('*Value*\n7.5 % vs threshold 5 %');
    expect(all).toContain('*Window*\n2026-11-23 10:00:00 – 10:05:00 UTC');
    expect(all).toContain('*Project*\ncheckout');
    expect(all).toContain('*Tenant*\nAcme');
    expect(all).toContain('<https://app.meterhouse.example/alerts/rul_errors|Open the rule>');
    expect(all).toContain(notification.id);
    expect(message.text).toBe(
      '🔴 Firing: Error rate above 5 % on checkout — error_rate 7.5 % vs threshold 5 % (2026-11-23 10:00:00 – 10:05:00 UTC) project checkout',
    );
  });

  it('escape &, < and > in user text so nobody can inject a link or a mention', () => {
    const message = slackMessage(
      alertNotification('alert.firing', {
        summary: 'a <!channel> & <https://evil.example|click>',
        project: '<@U123>',
        links: [{ href: 'https://app.meterhouse.example/x?a=1&b=|2', text: 'A > B' }],
      }),
    );
    const all = textsOf(message.blocks).join('\n');
    expect(all).toContain('a &lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;');
    expect(all).toContain('*Project*\n&lt;@U123&gt;');
    expect(all).toContain('<https://app.meterhouse.example/x?a=1&amp;b=%7C2|A &gt; B>');
    expect(all).not.toContain('<!channel>');
    expect(message.text).toContain('&lt;@U123&gt;');
  });

  it("stay within Slack's limits however long the input, cutting between characters with an ellipsis", () => {
    const message = slackMessage(
      alertNotification('alert.firing', {
        title: '👨‍👩‍👧'.repeat(40),
        summary: '&'.repeat(2_000),
        metric: 'm'.repeat(200),
        project: 'p'.repeat(200),
        links: Array.from({ length: 5 }, (_, i) => ({
          href: `https://app.meterhouse.example/${'x'.repeat(900)}/${i}`,
          text: 't'.repeat(200),
        })),
      }),
    );
    expect(message.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    expect(message.text.length).toBeLessThanOrEqual(SLACK_LIMITS.text);
    for (const block of message.blocks) {
      if (block.type === 'header') {
        expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
        expect(block.text.text.endsWith('👨‍👩‍👧…')).toBe(true);
      } else if (block.type === 'section' && 'text' in block) {
        expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
      } else if (block.type === 'section') {
        expect(block.fields.length).toBeLessThanOrEqual(SLACK_LIMITS.fields);
        for (const field of block.fields)
          expect(field.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fieldText);
      }
    }
    const summary = message.blocks[1];
    expect(summary?.type === 'section' && 'text' in summary && summary.text.text).toMatch(/^(&amp;)+…$/);
    const links = message.blocks.find(
      (block) => block.type === 'section' && 'text' in block && block.text.text.startsWith('<https'),
    );
    // Only whole links: two of ~1,140 characters fit in 3,000, never a half link.
    expect(links !== undefined && 'text' in links && links.text.text.split(' · ')).toHaveLength(2);
  });

  it('name each kind in the header', () => {
    expect(slackMessage(alertNotification('alert.resolved')).blocks[0]).toMatchObject({
      text: { text: '✅ Resolved: Error rate above 5 % on checkout' },
    });
    expect(slackMessage(alertNotification('test', { title: 'Channel check' })).blocks[0]).toMatchObject({
      text: { text: '🧪 Test notification: Channel check' },
    });
  });
});

describe('text helpers', () => {
  it('truncate by whole graphemes and never split a surrogate pair', () => {
    expect(truncate('short', 10)).toBe('short');
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('😀😀😀', 4)).toBe('😀…');
    expect(truncate('🇫🇷🇫🇷', 6)).toBe('🇫🇷…');
  });

  it('escape only what Slack parses, and never cut an entity in half', () => {
    expect(escapeMrkdwn('*bold* & <x>')).toBe('*bold* &amp; &lt;x&gt;');
    expect(mrkdwnText('a&b', 7)).toBe('a&amp;b');
    expect(mrkdwnText('a&b', 6)).toBe('a…');
    expect(mrkdwnText('ab&cd', 7)).toBe('ab…');
  });
});
