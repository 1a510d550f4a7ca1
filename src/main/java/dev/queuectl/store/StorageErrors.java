package dev.queuectl.store;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Locale;

import org.sqlite.SQLiteException;
import org.springframework.transaction.TransactionSystemException;

/**
 * Turns a failure of the database or of the files beside it into one plain line that says what
 * went wrong and where ("the database /x/q.db is read-only"), instead of a Java exception name and
 * an SQLite code. Used wherever errors reach the user: the command dispatcher and start-up.
 */
public final class StorageErrors {

	private StorageErrors() {
	}

	/** {@link #describe(Throwable, Path)} for either database: on PostgreSQL, the server's failures in words. */
	public static String describeAt(Throwable failure, DatabaseLocation location) {
		if (location == null || !location.isPostgres()) {
			return describe(failure, location == null ? null : location.file());
		}
		String where = "the PostgreSQL database " + location.display();
		for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
			if (t instanceof TransactionSystemException tx && tx.getApplicationException() != null) {
				String message = describeAt(tx.getApplicationException(), location);
				if (message != null) {
					return message;
				}
			}
			if (t instanceof SQLException sql && sql.getSQLState() != null) {
				String state = sql.getSQLState();
				String detail = firstLine(sql.getMessage());
				String unreachable = unreachable(sql);
				if (unreachable != null) {
					return "cannot reach PostgreSQL at " + location.postgres().hostPort() + ": " + unreachable;
				}
				if (state.startsWith("08")) {
					return "cannot connect to " + where + ": " + detail;
				}
				if (state.startsWith("28")) {
					return "cannot log in to " + where + ": " + detail
							+ " (set PGPASSWORD or a line in ~/.pgpass)";
				}
				if (state.equals("3D000")) {
					return where + " does not exist (create it with createdb or CREATE DATABASE)";
				}
				if (state.equals("53100")) {
					return "the disk of " + where + " is full";
				}
				if (state.equals("25006")) {
					return where + " is read-only";
				}
				if (state.equals("42501")) {
					return "no permission to use " + where + ": " + detail;
				}
				if (state.startsWith("57P")) {
					return where + " shut down or closed the connection: " + detail;
				}
			}
		}
		return null;
	}

	/**
	 * Why the server could not be reached, in a few words ("connection refused", "timed out",
	 * "unknown host name"), or null when it was reached (it refused the login, the database...):
	 * the driver's failure to connect (SQLSTATE 08001) with the network's own reason under it.
	 */
	static String unreachable(SQLException failure) {
		if (!"08001".equals(failure.getSQLState())) {
			return null;
		}
		for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
			if (t instanceof java.net.UnknownHostException) {
				return "unknown host name";
			}
			if (t instanceof java.net.SocketTimeoutException) {
				return "timed out";
			}
			if (t instanceof IOException io && io.getMessage() != null && !io.getMessage().isBlank()) {
				String reason = firstLine(io.getMessage()).toLowerCase(Locale.ROOT);
				return reason.contains("timed out") ? "timed out" : reason;
			}
		}
		String message = failure.getMessage() == null ? "" : failure.getMessage().toLowerCase(Locale.ROOT);
		if (message.contains("timed out")) {
			return "timed out"; // the login timeout: the server accepted the connection and never answered
		}
		if (message.contains("refused")) {
			return "connection refused";
		}
		return "cannot connect";
	}

	private static String firstLine(String message) {
		if (message == null) {
			return "failed";
		}
		String line = message.lines().findFirst().orElse(message).trim();
		return line.replaceAll("password=[^ &]*", "password=***");
	}

	/**
	 * The user's message for the first storage failure in the chain of {@code failure}, or null when
	 * the chain holds none. {@code db} is the database file, or null when not known.
	 */
	public static String describe(Throwable failure, Path db) {
		String where = db == null ? "the database" : "the database " + db;
		for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
			// SQLite rolls back by itself on SQLITE_FULL (and others); Spring's rollback then fails and
			// carries the real failure aside, not as its cause
			if (t instanceof TransactionSystemException tx && tx.getApplicationException() != null) {
				String message = describe(tx.getApplicationException(), db);
				if (message != null) {
					return message;
				}
			}
			String code = sqliteCode(t);
			if (code != null) {
				String message = forSqliteCode(code, where, db);
				if (message != null) {
					return message;
				}
			}
			if (t instanceof FileSystemException fs && fs.getFile() != null) {
				return "cannot use " + fs.getFile() + ": " + reason(fs);
			}
			if (t instanceof IOException io && io.getMessage() != null && io.getMessage().contains("No space left")) {
				return "the disk holding " + (db == null ? "the database" : db.toString()) + " is full";
			}
		}
		return null;
	}

	/** Why a file operation failed, in words: "permission denied", "read-only file system"... */
	public static String reason(IOException failure) {
		if (failure instanceof AccessDeniedException) {
			return "permission denied";
		}
		if (failure instanceof NoSuchFileException) {
			return "no such file or folder";
		}
		if (failure instanceof NotDirectoryException) {
			return "not a folder";
		}
		String reason = failure instanceof FileSystemException fs ? fs.getReason() : failure.getMessage();
		if (reason == null || reason.isBlank()) {
			return "input/output error";
		}
		reason = reason.lines().findFirst().orElse(reason).trim();
		if (reason.contains("No space left")) {
			return "the disk is full";
		}
		return reason.substring(0, 1).toLowerCase(Locale.ROOT) + reason.substring(1);
	}

	private static String forSqliteCode(String code, String where, Path db) {
		return switch (code) {
			case "SQLITE_NOTADB" -> DatabaseLocation.notADatabase(db);
			case "SQLITE_CORRUPT" -> where + " is corrupt (restore it from a backup, or move it away to start afresh)";
			case "SQLITE_READONLY" -> where + " is read-only";
			case "SQLITE_FULL" -> "the disk holding " + (db == null ? "the database" : db.toString()) + " is full";
			case "SQLITE_BUSY", "SQLITE_LOCKED" -> where + " stayed locked by another process for too long; try again";
			case "SQLITE_CANTOPEN" -> "cannot open " + where + cantOpenReason(db);
			case "SQLITE_PERM", "SQLITE_AUTH" -> "no permission to use " + where;
			case "SQLITE_IOERR" -> "cannot read or write " + where + " (input/output error)";
			default -> null;
		};
	}

	private static String cantOpenReason(Path db) {
		if (db == null) {
			return "";
		}
		if (java.nio.file.Files.isDirectory(db)) {
			return ": it is a folder";
		}
		Path dir = db.getParent();
		if (dir != null && !java.nio.file.Files.isDirectory(dir)) {
			return ": its folder " + dir + " does not exist";
		}
		if (!java.nio.file.Files.isReadable(db)) {
			return ": permission denied";
		}
		return "";
	}

	/** {@code SQLITE_BUSY} for an SQLite failure (extended codes reduced to their primary), else null. */
	static String sqliteCode(Throwable t) {
		if (t instanceof SQLiteException sqlite) {
			String name = sqlite.getResultCode().name();
			return primary(name);
		}
		if (t instanceof SQLException || (t.getMessage() != null && t.getMessage().contains("[SQLITE_"))) {
			String message = t.getMessage();
			int at = message == null ? -1 : message.indexOf("[SQLITE_");
			if (at >= 0) {
				int end = message.indexOf(']', at);
				if (end > at) {
					return primary(message.substring(at + 1, end));
				}
			}
		}
		return null;
	}

	/** SQLITE_READONLY_DIRECTORY -> SQLITE_READONLY. */
	private static String primary(String name) {
		int second = name.indexOf('_', "SQLITE_".length());
		return second < 0 ? name : name.substring(0, second);
	}
}
