// wireguard: no IFLA_INFO_DATA (keys and peers are set over generic netlink; creation only).
import { defineKind } from './define.js';

export const wireguard = defineKind({ type: 'wireguard' });
