// immer: the library's own invariant errors (die) raised inside produce, and errors in user
// recipes called through immer's proxies.
import { produce, createDraft, freeze } from 'immer';
import { runCases } from './harness.js';

function addTodo(state, title) {
  return produce(state, (draft) => {
    draft.todos.push({ title, done: false });
    return { todos: [] };
  });
}

class Store {
  constructor(state) {
    this.state = state;
  }

  update(recipe) {
    this.state = produce(this.state, recipe);
    return this.state;
  }
}

function renameOwner(draft) {
  draft.project.owner.name = draft.project.owner.name.toUpperCase();
}

const tagIndex = (state) =>
  produce(state, (draft) => {
    draft.index.set('new', 1);
  });

async function draftFromPrimitive(value) {
  await Promise.resolve();
  return createDraft(value);
}

function toggleAll(state) {
  const next = produce(state, (draft) => {
    draft.todos.forEach(function toggle(todo) {
      if (todo.locked) throw new Error(`todo "${todo.title}" is locked`);
      todo.done = !todo.done;
    });
  });
  return freeze(next, true);
}

runCases('immer', [
  ['return-and-modify', () => addTodo({ todos: [] }, 'write tests')],
  ['recipe-typeerror', () => new Store({ project: { name: 'x' } }).update(renameOwner)],
  ['mapset-plugin', () => tagIndex({ index: new Map() })],
  ['create-draft-primitive', () => draftFromPrimitive(42)],
  ['nested-callback', () => toggleAll({ todos: [{ title: 'a' }, { title: 'b', locked: true }] })],
]);
