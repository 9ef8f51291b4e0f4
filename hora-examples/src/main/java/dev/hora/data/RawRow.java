package dev.hora.data;

/** A row as read from a file, before labels are mapped to class indices. */
record RawRow(long line, String label, String text) {
}
