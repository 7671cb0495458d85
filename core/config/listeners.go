package config

import (
	"fmt"
	"strconv"
	"strings"
)

// Listener is one broker listener: a name, the security protocol the
// listener.security.protocol.map gives it, and its port.
type Listener struct {
	Name     string
	Protocol string
	Port     int
}

// TLS reports whether the listener's protocol encrypts with TLS.
func (l Listener) TLS() bool { return l.Protocol == "SSL" || l.Protocol == "SASL_SSL" }

// SASL reports whether the listener's protocol authenticates with SASL.
func (l Listener) SASL() bool { return l.Protocol == "SASL_PLAINTEXT" || l.Protocol == "SASL_SSL" }

// String returns the listener as the listeners config writes it.
func (l Listener) String() string { return fmt.Sprintf("%s://:%d", l.Name, l.Port) }

// maxListeners bounds the listeners of one broker.
const maxListeners = 16

// ParseListeners reads the listeners config ("NAME://host:port,...")
// with the listener.security.protocol.map config ("NAME:PROTOCOL,...").
// Names and ports must be unique, as Kafka requires.
func ParseListeners(listeners, protocolMap string) ([]Listener, error) {
	protocols := map[string]string{}
	for _, entry := range splitList(protocolMap) {
		if entry == "" {
			continue
		}
		name, protocol, ok := strings.Cut(entry, ":")
		if !ok || name == "" {
			return nil, fmt.Errorf("listener.security.protocol.map: %q is not NAME:PROTOCOL", entry)
		}
		protocol = strings.ToUpper(protocol)
		if !validProtocol(protocol) {
			return nil, fmt.Errorf("listener.security.protocol.map: %q has no security protocol %s; valid: %s", entry, protocol, strings.Join(securityProtocols, ", "))
		}
		protocols[strings.ToUpper(name)] = protocol
	}
	entries := splitList(listeners)
	if len(entries) == 0 {
		return nil, fmt.Errorf("listeners: no listener given")
	}
	if len(entries) > maxListeners {
		return nil, fmt.Errorf("listeners: %d listeners, at most %d", len(entries), maxListeners)
	}
	var out []Listener
	for _, entry := range entries {
		name, address, ok := strings.Cut(entry, "://")
		if !ok || name == "" {
			return nil, fmt.Errorf("listeners: %q is not NAME://host:port", entry)
		}
		name = strings.ToUpper(name)
		colon := strings.LastIndexByte(address, ':')
		port, err := strconv.Atoi(address[colon+1:])
		if colon < 0 || err != nil || port < 0 || port > 65535 {
			return nil, fmt.Errorf("listeners: %q has no valid port", entry)
		}
		protocol, ok := protocols[name]
		if !ok {
			return nil, fmt.Errorf("listeners: no security protocol defined for listener %s in listener.security.protocol.map", name)
		}
		for _, l := range out {
			if l.Name == name {
				return nil, fmt.Errorf("listeners: listener name %s appears twice", name)
			}
			if l.Port == port {
				return nil, fmt.Errorf("listeners: port %d is used by %s and %s", port, l.Name, name)
			}
		}
		out = append(out, Listener{Name: name, Protocol: protocol, Port: port})
	}
	return out, nil
}

// BootstrapPort returns the port of the first bootstrap.servers entry
// ("host:port"), or -1 when there is none.
func BootstrapPort(servers string) (int, error) {
	entries := splitList(servers)
	if len(entries) == 0 {
		return -1, nil
	}
	colon := strings.LastIndexByte(entries[0], ':')
	port, err := strconv.Atoi(entries[0][colon+1:])
	if colon < 0 || err != nil || port < 0 || port > 65535 {
		return -1, fmt.Errorf("bootstrap.servers: %q is not host:port", entries[0])
	}
	return port, nil
}

func validProtocol(p string) bool {
	for _, s := range securityProtocols {
		if s == p {
			return true
		}
	}
	return false
}
