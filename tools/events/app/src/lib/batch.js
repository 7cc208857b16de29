// A library-like helper: visits items in fixed-size batches and reports progress.
// Application code passes the visitor callback; an error thrown there unwinds through here.

export function eachInBatches(items, size, visit, onBatch) {
  let index = 0;
  while (index < items.length) {
    const batch = items.slice(index, index + size);
    for (let offset = 0; offset < batch.length; offset++) {
      visit(batch[offset], index + offset);
    }
    index += batch.length;
    if (onBatch) onBatch(index, items.length);
  }
  return index;
}
