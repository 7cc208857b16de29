// acorn: SyntaxErrors raised deep in the recursive-descent parser, and user callbacks
// (onToken, onComment) called from the tokenizer.
import * as acorn from 'acorn';
import { runCases } from './harness.js';

function compile(source) {
  const ast = parseModule(source);
  return ast.body.length;
}

function parseModule(source) {
  return acorn.parse(source, { ecmaVersion: 2022, sourceType: 'module' });
}

class Linter {
  constructor(ecmaVersion) {
    this.ecmaVersion = ecmaVersion;
  }

  check(source) {
    const tree = acorn.parse(source, { ecmaVersion: this.ecmaVersion });
    return this.report(tree);
  }

  report(tree) {
    return tree.body.map((node) => node.type);
  }
}

const forbidEval = (token) => {
  if (token.type.label === 'name' && token.value === 'eval') {
    throw new Error(`eval is forbidden (offset ${token.start})`);
  }
};

function tokenize(source) {
  return acorn.parse(source, { ecmaVersion: 2022, onToken: forbidEval });
}

function stripTodos(source) {
  const comments = [];
  acorn.parse(source, {
    ecmaVersion: 2022,
    onComment(block, text) {
      if (text.includes('TODO')) throw new Error(`unresolved TODO: ${text.trim()}`);
      comments.push(text);
    },
  });
  return comments;
}

const evaluate = (expression) => acorn.parseExpressionAt(expression, 0, { ecmaVersion: 2022 });

runCases('acorn', [
  ['missing-initializer', () => compile('import x from "y";\nfunction f(a) {\n  let b = ;\n  return a;\n}\n')],
  ['es5-arrow', () => new Linter(5).check('var ok = 1;\nvar f = (a) => a + 1;\n')],
  ['on-token', () => tokenize('const a = 1;\nconst b = eval("a");\n')],
  ['on-comment', () => stripTodos('// fine\nlet a = 1; /* TODO: remove */\n')],
  ['expression', () => evaluate('(a + b) * ')],
]);
