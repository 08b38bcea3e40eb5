package dev.ringfence.examples;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Cuts code snippets out of Markdown and Java sources so that tests can compare them. */
final class Snippets {

  private Snippets() {}

  /**
   * The first {@code ```java} fenced block after the first heading whose text contains a phrase.
   *
   * @param markdown the document's lines
   * @param headingPhrase e.g. {@code Quick start}, matched case-insensitively
   * @return the block's lines, without the fences
   * @throws AssertionError if there is no such heading or block
   */
  static List<String> javaBlockAfterHeading(List<String> markdown, String headingPhrase) {
    String phrase = headingPhrase.toLowerCase(Locale.ROOT);
    int i = 0;
    while (i < markdown.size() && !(markdown.get(i).startsWith("#")
        && markdown.get(i).toLowerCase(Locale.ROOT).contains(phrase))) {
      i++;
    }
    if (i == markdown.size()) {
      throw new AssertionError("no heading containing '" + headingPhrase + "'");
    }
    while (i < markdown.size() && !markdown.get(i).strip().equals("```java")) {
      i++;
    }
    if (i == markdown.size()) {
      throw new AssertionError("no ```java block after the heading containing '" + headingPhrase + "'");
    }
    List<String> block = new ArrayList<>();
    for (i++; i < markdown.size(); i++) {
      if (markdown.get(i).strip().equals("```")) {
        return block;
      }
      block.add(markdown.get(i));
    }
    throw new AssertionError("the ```java block after '" + headingPhrase + "' is not closed");
  }

  /**
   * Strips the indentation common to every non-blank line, trailing white space, and leading and
   * trailing blank lines.
   *
   * @param lines the lines
   * @return the dedented text, lines joined with {@code \n}
   */
  static String dedent(List<String> lines) {
    int first = 0;
    int last = lines.size();
    while (first < last && lines.get(first).isBlank()) {
      first++;
    }
    while (last > first && lines.get(last - 1).isBlank()) {
      last--;
    }
    int common = Integer.MAX_VALUE;
    for (String line : lines.subList(first, last)) {
      if (!line.isBlank()) {
        common = Math.min(common, line.length() - line.stripLeading().length());
      }
    }
    List<String> out = new ArrayList<>();
    for (String line : lines.subList(first, last)) {
      out.add(line.isBlank() ? "" : line.substring(common).stripTrailing());
    }
    return String.join("\n", out);
  }
}
