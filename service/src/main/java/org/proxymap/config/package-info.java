/**
 * The configuration of one generation: main.cf syntax (MainCf), $name expansion (Expander),
 * Postfix's defaults and value syntaxes (Values), the service's own settings (Setting, each
 * declared once) and the allow-lists. It knows no table, socket or server.
 */
package org.proxymap.config;
