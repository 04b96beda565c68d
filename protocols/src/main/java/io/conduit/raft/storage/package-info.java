/**
 * Durable Raft storage (edge: files): {@link io.conduit.raft.storage.SegmentedLog},
 * {@link io.conduit.raft.storage.HardStateFile} and {@link io.conduit.raft.storage.SnapshotStore}, for the
 * crash-recovery model: a node may stop at any instant and restart from what reached disk.
 * {@link io.conduit.raft.storage.DurableRaftStorage} puts them behind the engine's {@code RaftStorage} (entries synced
 * before the hard state, once per Ready; snapshots, compaction behind them and installation of a leader's snapshot).
 * <h2>Files</h2>
 * <pre>
 *  DIR/hardstate                          currentTerm, votedFor, commitIndex: two alternating CRC'd slots
 *  DIR/log/log.meta                       snapshotIndex, snapshotTerm: two alternating CRC'd slots
 *  DIR/log/00000000000000000001.seg       segment: records for indexes 1, 2, ... back to back, no file header
 *  DIR/log/00000000000000052117.seg       the next segment starts at the index after the previous one's last
 *  DIR/snapshots/&lt;index&gt;-&lt;term&gt;.snap   the latest snapshot (header with CRCs + data)
 * </pre>
 * A snapshot's data, as {@code DurableRaftStorage} writes it: the configuration as of its index (int32 voter count,
 * int32 voters, int32 learner count, int32 learners, little-endian), then the state machine's bytes.
 * A record (layout version 2, all integers little-endian):
 * <pre>
 *  0               4               8                               16                              24
 *  +---------------+---------------+-------------------------------+-------------------------------+----------- -
 *  |   checksum    |kind+length    |             term              |             index             | payload ...
 *  +---------------+---------------+-------------------------------+-------------------------------+----------- -
 *  checksum = CRC32C over bytes [4, 24 + payload length)
 *  kind+length = entry kind code (0 NORMAL, 1 CONF_CHANGE) &lt;&lt; 30 | payload length
 * </pre>
 * Version 1 stored the plain length, whose top two bits were always 0: a version 1 log reads as all NORMAL entries
 * and needs no conversion. A kind this version does not know makes {@code open} refuse the log.
 * <h2>Write rules</h2>
 * <ul>
 * <li>Appends are buffered; {@code sync()} writes them and fdatasyncs the active segment: one fsync per batch
 * (group commit). Raft may acknowledge or count an entry only at or below {@code lastSyncedIndex()}.</li>
 * <li>A full segment is fdatasynced before the next one is created (and the directory fsynced), so every segment
 * but the last is complete on disk: only the last segment can have a torn tail.</li>
 * <li>{@code truncateSuffix} truncates and fsyncs at once, so conflicting entries can never reappear behind the new
 * ones after a crash. {@code compactPrefix} writes the snapshot point first, then deletes segments;
 * {@code reset} deletes first, then writes the snapshot point. Either way a crash leaves a consistent log.</li>
 * </ul>
 * <h2>Recovery rules ({@code SegmentedLog.open})</h2>
 * <ol>
 * <li>Segments wholly behind the snapshot point are deleted (an interrupted compaction is finished).</li>
 * <li>The first segment must start at or before {@code snapshotIndex + 1}; each next segment exactly one after its
 * predecessor's last entry. Otherwise: {@code CorruptLogException} (a gap).</li>
 * <li>Every record is verified: complete, CRC32C valid, its index the next expected one, its term not below the
 * previous entry's (nor, right after the snapshot, below the snapshot's term).</li>
 * <li>A record failing verification in the last segment, with no valid record anywhere after it, is a torn or
 * corrupt tail: the file is truncated to the end of the last good record, fsynced, and reported in the
 * {@code RecoveryReport}. Those entries were never synced, so they were never acknowledged.</li>
 * <li>A failing record anywhere else, or one followed by a valid record, is damage to data that may have been
 * committed: {@code CorruptLogException}, never a silent drop. (A crash whose unsynced pages reached disk out of
 * order can look the same; refusing is the safe reading, and the operator can truncate by hand.)</li>
 * <li>If an entry is held at the snapshot index, its term must equal the snapshot term.</li>
 * </ol>
 * Hard state and log metadata: the valid slot with the higher sequence wins; see {@code SlotFile}. Snapshots are
 * whole or absent (temp file, fsync, atomic rename, directory fsync); leftover temp files are deleted on open.
 * <p>
 * On start ({@code DurableRaftStorage.open}) the hard state is loaded, the log opened and the latest snapshot
 * verified. The log's snapshot point (its compaction point) may trail the latest snapshot, never pass it: a log
 * compacted past its snapshot is refused. A snapshot newer than the compaction point whose last entry the log does
 * not hold with the same term is an installation a crash interrupted between committing the snapshot and
 * {@code reset}: the log is reset to it. The edge then restores its state machine from the latest snapshot.
 */
package io.conduit.raft.storage;
