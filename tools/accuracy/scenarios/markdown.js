// markdown-it: user rules and renderer overrides called from deep inside the block and
// inline parsers and the renderer, and the library's own argument checks.
import MarkdownIt from 'markdown-it';
import { runCases } from './harness.js';

function createRenderer() {
  const md = new MarkdownIt();
  md.renderer.rules.link_open = function renderLink(tokens, idx, options, env, self) {
    const href = tokens[idx].attrGet('href');
    if (href.startsWith('http:')) {
      throw new Error(`insecure link: ${href}`);
    }
    return self.renderToken(tokens, idx, options);
  };
  return md;
}

function renderArticle(md, text) {
  const html = md.render(text);
  return html.length;
}

class MentionPlugin {
  static install(md, users) {
    md.inline.ruler.push('mention', (state, silent) => MentionPlugin.parse(state, silent, users));
  }

  static parse(state, silent, users) {
    if (state.src.charCodeAt(state.pos) !== 0x40 /* @ */) return false;
    const match = /^@(\w+)/.exec(state.src.slice(state.pos));
    if (!users.has(match[1])) {
      throw new RangeError(`unknown user @${match[1]}`);
    }
    if (!silent) state.push('text', '', 0).content = match[0];
    state.pos += match[0].length;
    return true;
  }
}

function blockRule(md) {
  md.block.ruler.before('paragraph', 'banner', function banner(state, startLine) {
    const line = state.src.slice(state.bMarks[startLine] + state.tShift[startLine], state.eMarks[startLine]);
    if (line.startsWith('!!!')) {
      throw new SyntaxError(`unclosed banner at line ${startLine + 1}`);
    }
    return false;
  });
}

const renderWithPlugin = async (plugin, text) => {
  const md = new MarkdownIt().use(plugin);
  await null;
  return md.render(text);
};

runCases('markdown', [
  ['renderer-rule', () => renderArticle(createRenderer(), '# Title\n\nSee [docs](http://example.com/docs).\n')],
  [
    'inline-rule',
    () => {
      const md = new MarkdownIt();
      MentionPlugin.install(md, new Set(['alice']));
      return md.render('Thanks @alice and @mallory!\n');
    },
  ],
  ['block-rule', () => renderWithPlugin(blockRule, 'intro\n\n!!! warning\n\nend\n')],
  ['bad-preset', () => new MarkdownIt('nonexistent-preset')],
  ['render-null', () => renderArticle(new MarkdownIt(), null)],
]);
