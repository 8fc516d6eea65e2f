/**
 * HTTP batch against the same calls sent alone: 100 people.get calls in one `POST /batch`,
 * and the same 100 sent one by one on one keep-alive connection, as a client without batch
 * support would. Both alternate, round after round, on a warmed-up emulator; each figure is
 * the median time of one set of 100 calls.
 */
import { Client } from 'undici'
import { median, TOKEN } from './servers.js'

const CALLS = 100
const BOUNDARY = 'bench_batch_boundary'

export interface BatchFigures {
  /** Median ms for the 100 calls sent one by one. */
  sequentialMs: number
  /** Median ms for the same calls in one batch. */
  batchMs: number
  /** Lowest and highest ratio of single rounds. */
  spread: [number, number]
  failures: number
}

/** `rounds` rounds, each timing `perRound` sets of 100 calls sent each way. */
export async function measureBatch (url: string, { rounds = 7, perRound = 20, warmupSeconds = 4 } = {}): Promise<BatchFigures> {
  const client = new Client(url, { pipelining: 1 })
  const authorization = `Bearer ${TOKEN}`
  const paths = Array.from({ length: CALLS }, (_, i) => `/v1/people/c${1000000 + i}?personFields=names,emailAddresses,phoneNumbers,metadata`)
  const body = paths.map(path => `--${BOUNDARY}\r\nContent-Type: application/http\r\n\r\nGET ${path} HTTP/1.1\r\n\r\n`).join('') + `--${BOUNDARY}--\r\n`
  let failures = 0

  const sequential = async (): Promise<void> => {
    for (const path of paths) {
      const res = await client.request({ method: 'GET', path, headers: { authorization } })
      await res.body.text()
      if (res.statusCode !== 200) failures++
    }
  }
  const batched = async (): Promise<void> => {
    const res = await client.request({ method: 'POST', path: '/batch', headers: { authorization, 'content-type': `multipart/mixed; boundary=${BOUNDARY}` }, body })
    const text = await res.body.text()
    if (res.statusCode !== 200) failures += CALLS
    else failures += CALLS - text.split('\r\nHTTP/1.1 200 OK\r\n').length + 1
  }
  const time = async (run: () => Promise<void>): Promise<number> => {
    const start = performance.now()
    for (let i = 0; i < perRound; i++) await run()
    return (performance.now() - start) / perRound
  }

  const warmEnd = Date.now() + warmupSeconds * 1000
  while (Date.now() < warmEnd) { await sequential(); await batched() }
  failures = 0
  const seqs: number[] = []
  const batches: number[] = []
  for (let round = 0; round < rounds; round++) {
    seqs.push(await time(sequential))
    batches.push(await time(batched))
  }
  await client.close()
  const ratios = batches.map((b, i) => b / seqs[i]!)
  return { sequentialMs: median(seqs), batchMs: median(batches), spread: [Math.min(...ratios), Math.max(...ratios)], failures }
}
