/**
 * The configuration of one generation: main.cf syntax (MainCf), the layers from proxymap.cf
 * down to Postfix's defaults as one commons-configuration2 CompositeConfiguration (ServiceConfig),
 * $name expansion (Expander, over MacroParser's tokens),
 * Postfix's defaults and value syntaxes (Values), the service's own settings (Setting, each
 * declared once) and the allow-lists. It knows no table, socket or server.
 */
package org.proxymap.config;
