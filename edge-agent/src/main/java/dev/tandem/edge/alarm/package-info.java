/** Alarm episodes: onset, held, cleared or re-baselined ({@link dev.tandem.edge.alarm.EpisodeTracker}). */
package dev.tandem.edge.alarm;
