/** The time and the etag makers of one mutation, handed to the stores. */
import type { ChangeStamp } from '../db/changes.js'
import { formatTime, type Clock } from './clock.js'
import { newGroupEtag, newSourceEtag, type RandomSource } from './ids.js'

export function changeStamp (clock: Clock, random: RandomSource): ChangeStamp {
  return { time: formatTime(clock.nowMicros()), groupEtag: () => newGroupEtag(random), sourceEtag: () => newSourceEtag(random) }
}
