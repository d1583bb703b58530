/**
 * The behaviour every ObjectStore adapter promises, written once and run against each adapter (local
 * folder, s3rver). An adapter's server may lack an operation; it then names it in `unsupported` and
 * the case is skipped with the reason, never silently passed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ObjectStore } from '../../src/store/object-store.js';

export interface ContractOptions {
  /** A fresh, empty store for each case. */
  open: () => Promise<ObjectStore>;
  /** Operations the backing server does not implement, with the reason shown as the skip message. */
  unsupported?: { conditionalWrite?: string };
}

const text = (bytes: Uint8Array | undefined) => (bytes ? new TextDecoder().decode(bytes) : undefined);

export function objectStoreContract(name: string, options: ContractOptions): void {
  const conditionalSkip = options.unsupported?.conditionalWrite;

  describe(`${name}: ObjectStore contract`, () => {
    it('get returns undefined for a key that was never written', async () => {
      const store = await options.open();
      assert.equal(await store.get('nothing/here.json'), undefined);
    });

    it('put then get returns the same bytes, and a second put replaces them', async () => {
      const store = await options.open();
      const bytes = new Uint8Array([0, 1, 2, 250, 255]);
      await store.put('a/b/c.bin', bytes);
      assert.deepEqual(await store.get('a/b/c.bin'), bytes);
      await store.put('a/b/c.bin', 'replaced');
      assert.equal(text(await store.get('a/b/c.bin')), 'replaced');
    });

    it('list returns the keys under a prefix in ascending order and nothing else', async () => {
      const store = await options.open();
      for (const key of ['p/z.txt', 'p/a.txt', 'p/sub/m.txt', 'q/other.txt', 'p2/x.txt'])
        await store.put(key, key);
      assert.deepEqual(await store.list('p/'), ['p/a.txt', 'p/sub/m.txt', 'p/z.txt']);
      assert.deepEqual(await store.list('p'), ['p/a.txt', 'p/sub/m.txt', 'p/z.txt', 'p2/x.txt']);
      assert.deepEqual(await store.list('missing/'), []);
    });

    it('a prefix ending inside a name lists the matching keys and folders only, sorted', async () => {
      const store = await options.open();
      for (const key of [
        'ticks/2025-01-02T0001Z.json',
        'ticks/2025-01-01T2359Z.json',
        'ticks/2025-01-02T0000Z.json',
        'ticks/2025-01-02/nested.json',
        'ticks/2025-01-03T0000Z.json',
        'ticks/other/2025-01-02T0000Z.json',
      ])
        await store.put(key, key);
      assert.deepEqual(await store.list('ticks/2025-01-02'), [
        'ticks/2025-01-02/nested.json',
        'ticks/2025-01-02T0000Z.json',
        'ticks/2025-01-02T0001Z.json',
      ]);
      assert.deepEqual(await store.list('ticks/2025-01-02T0001'), ['ticks/2025-01-02T0001Z.json']);
    });

    it('delete removes an object and deleting a missing one is not an error', async () => {
      const store = await options.open();
      await store.put('d/x.txt', 'x');
      await store.delete('d/x.txt');
      assert.equal(await store.get('d/x.txt'), undefined);
      await store.delete('d/x.txt');
      assert.deepEqual(await store.list('d/'), []);
    });

    it(
      'putIfAbsent creates a missing object and leaves an existing one untouched',
      { skip: conditionalSkip },
      async () => {
        const store = await options.open();
        assert.equal(await store.putIfAbsent('once.txt', 'first'), true);
        assert.equal(await store.putIfAbsent('once.txt', 'second'), false);
        assert.equal(text(await store.get('once.txt')), 'first');
      },
    );

    it(
      'exactly one of 10 concurrent putIfAbsent calls on one key wins',
      { skip: conditionalSkip },
      async () => {
        const store = await options.open();
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, writer) => store.putIfAbsent('race/key.txt', `writer ${writer}`)),
        );
        assert.equal(results.filter(Boolean).length, 1);
        const winner = results.indexOf(true);
        assert.equal(text(await store.get('race/key.txt')), `writer ${winner}`);
        assert.deepEqual(await store.list('race/'), ['race/key.txt']);
      },
    );

    it('rejects keys that could escape the store root', async () => {
      const store = await options.open();
      for (const key of ['../outside.txt', '/etc/passwd', 'a/../../b', 'a//b', '']) {
        await assert.rejects(store.put(key, 'x'), { name: 'InvalidObjectKeyError' }, key);
      }
      await assert.rejects(store.get('a/../../b'), { name: 'InvalidObjectKeyError' });
    });
  });
}
