/**
 * Entries kept per account, oldest first, each account within its own bounds (a count and a
 * total size): what one account reads or writes never evicts another's entries, so no account
 * can time another's activity through a cache built on it. (The emulator's caches of contacts
 * and renderings hold an account's own contacts: in all, no more than the database.)
 */
interface Entry<V> { value: V, size: number }
interface AccountEntries<V> { entries: Map<string, Entry<V>>, size: number }

export class AccountLru<V> {
  private readonly accounts = new Map<string, AccountEntries<V>>()
  private count = 0
  private bytes = 0

  constructor (readonly maxEntries: number, readonly maxSize: number) {}

  get (accountId: string, key: string): V | undefined {
    return this.accounts.get(accountId)?.entries.get(key)?.value
  }

  /** Keeps `value` as the account's newest entry; the account's oldest go while it is over its bounds. */
  set (accountId: string, key: string, value: V, size: number): void {
    let account = this.accounts.get(accountId)
    if (account === undefined) {
      account = { entries: new Map(), size: 0 }
      this.accounts.set(accountId, account)
    }
    this.drop(account, key)
    account.entries.set(key, { value, size })
    account.size += size
    this.bytes += size
    this.count++
    while (account.entries.size > this.maxEntries || account.size > this.maxSize) {
      this.drop(account, account.entries.keys().next().value!)
    }
  }

  delete (accountId: string, key: string): void {
    const account = this.accounts.get(accountId)
    if (account === undefined) return
    this.drop(account, key)
    if (account.entries.size === 0) this.accounts.delete(accountId)
  }

  /** Forgets one account's entries. */
  clearAccount (accountId: string): void {
    const account = this.accounts.get(accountId)
    if (account === undefined) return
    this.count -= account.entries.size
    this.bytes -= account.size
    this.accounts.delete(accountId)
  }

  clear (): void {
    this.accounts.clear()
    this.count = 0
    this.bytes = 0
  }

  /** Entries in all. */
  get size (): number {
    return this.count
  }

  /** The sizes of the entries in all. */
  get byteSize (): number {
    return this.bytes
  }

  sizeOf (accountId: string): number {
    return this.accounts.get(accountId)?.entries.size ?? 0
  }

  byteSizeOf (accountId: string): number {
    return this.accounts.get(accountId)?.size ?? 0
  }

  private drop (account: AccountEntries<V>, key: string): void {
    const old = account.entries.get(key)
    if (old === undefined) return
    account.entries.delete(key)
    account.size -= old.size
    this.bytes -= old.size
    this.count--
  }
}
