//! Sections and views (ALPC's mode 2: zero bytes copied), and the
//! contexts' memory windows.
//!
//! A context registers memory it owns as a *section* (IOVA, size, access
//! bits); it may register only memory inside its *window*, which the
//! privileged owner of the device sets (`CTX_MEM_BASE` / `CTX_MEM_LAST`).
//! The owner then grants the peer of one of its connections a *view*: a
//! range of a section with some of its rights. A message can carry a view
//! (the receiver learns its IOVA, size and handle), and the grantee names
//! the view in COPY descriptors. Every use is checked here: the view must be
//! live, granted to (or, to attach it, by) the context, the range inside it,
//! the access allowed. Deleting a section revokes its views; a context's
//! death frees its sections and every view it granted or was granted.
//!
//! Handles are `generation << 16 | index` like ports', generations start at
//! 1, and both tables allocate in the hardware's order (never-used entries
//! first, then freed ones first in, first out).

use alpc_contract::{access, geometry, Status};
use std::collections::VecDeque;

/// A section or view handle: `generation << 16 | index`.
pub type Handle = u32;

pub use alpc_contract::ViewRecord;

#[derive(Clone, Debug, Default)]
struct Section {
    live: bool,
    generation: u16,
    owner: usize,
    access: u32,
    base: u64,
    length: u32,
}

#[derive(Clone, Debug, Default)]
struct View {
    live: bool,
    generation: u16,
    section: u16,
    grantor: usize,
    grantee: usize,
    port: u16,
    access: u32,
    offset: u32,
    length: u32,
    /// A receive buffer posted for large messages (mode 3).
    posted: bool,
}

/// The section and view tables and the contexts' windows.
#[derive(Clone, Debug)]
pub struct SectionTable {
    sections: Vec<Section>,
    free_sections: VecDeque<u16>,
    views: Vec<View>,
    free_views: VecDeque<u16>,
    windows: Vec<(u64, u64)>,
}

fn handle(index: u16, generation: u16) -> Handle {
    (generation as u32) << 16 | index as u32
}

fn next_generation(g: u16) -> u16 {
    g.checked_add(1).unwrap_or(1)
}

/// Whether `[addr, addr + len)` lies inside 2^64 and the window
/// `base ..= last` (an empty range needs only `addr >= base`).
pub fn in_window(window: (u64, u64), addr: u64, len: u64) -> bool {
    let (base, last) = window;
    match addr.checked_add(len) {
        None => false,
        Some(end) => addr >= base && (len == 0 || end - 1 <= last),
    }
}

impl SectionTable {
    /// Tables of the hardware's sizes for `contexts` contexts; every window
    /// starts as the whole IOVA space (the registers' reset value).
    pub fn new(contexts: usize) -> SectionTable {
        let section = Section { generation: 1, ..Default::default() };
        let view = View { generation: 1, ..Default::default() };
        SectionTable {
            sections: vec![section; geometry::SECTIONS],
            free_sections: (0..geometry::SECTIONS as u16).collect(),
            views: vec![view; geometry::VIEWS],
            free_views: (0..geometry::VIEWS as u16).collect(),
            windows: vec![(0, u64::MAX); contexts],
        }
    }

    /// Sets context `ctx`'s memory window (`base ..= last`).
    pub fn set_window(&mut self, ctx: usize, base: u64, last: u64) {
        self.windows[ctx] = (base, last);
    }

    /// Context `ctx`'s memory window.
    pub fn window(&self, ctx: usize) -> (u64, u64) {
        self.windows[ctx]
    }

    fn section(&self, ctx: usize, h: Handle) -> Option<u16> {
        let i = (h & 0xFFFF) as usize;
        let s = self.sections.get(i)?;
        (s.live && s.generation as u32 == h >> 16 && s.owner == ctx).then_some(i as u16)
    }

    fn view(&self, h: Handle, may: impl Fn(&View) -> bool) -> Option<u16> {
        let i = (h & 0xFFFF) as usize;
        let v = self.views.get(i)?;
        (v.live && v.generation as u32 == h >> 16 && may(v)).then_some(i as u16)
    }

    fn free_view(&mut self, i: u16) {
        let v = &mut self.views[i as usize];
        v.live = false;
        v.generation = next_generation(v.generation);
        self.free_views.push_back(i);
    }

    fn free_section(&mut self, i: u16) {
        let s = &mut self.sections[i as usize];
        s.live = false;
        s.generation = next_generation(s.generation);
        self.free_sections.push_back(i);
    }

    /// SECTION_CREATE.
    pub fn create_section(&mut self, ctx: usize, iova: u64, length: u32, rights: u64) -> Result<Handle, Status> {
        if length == 0 || rights == 0 || rights > access::ALL as u64 {
            return Err(Status::BadArgument);
        }
        if !in_window(self.windows[ctx], iova, length as u64) {
            return Err(Status::BadAddress);
        }
        let i = self.free_sections.pop_front().ok_or(Status::NoResources)?;
        let s = &mut self.sections[i as usize];
        *s = Section { live: true, generation: s.generation, owner: ctx, access: rights as u32, base: iova, length };
        Ok(handle(i, s.generation))
    }

    /// SECTION_DELETE: its views are revoked (in table order), then the
    /// section is freed.
    pub fn delete_section(&mut self, ctx: usize, h: Handle) -> Result<(), Status> {
        let si = self.section(ctx, h).ok_or(Status::BadHandle)?;
        for vi in 0..self.views.len() as u16 {
            if self.views[vi as usize].live && self.views[vi as usize].section == si {
                self.free_view(vi);
            }
        }
        self.free_section(si);
        Ok(())
    }

    /// VIEW_CREATE, once the port checks passed: `port` is the granting
    /// port's index, `grantee` the context owning its peer (`usize::MAX`:
    /// a posted receive buffer, see [`SectionTable::post_buffer`]).
    #[allow(clippy::too_many_arguments)]
    pub fn create_view(
        &mut self,
        ctx: usize,
        section: Handle,
        offset: u32,
        length: u32,
        rights: u32,
        grantee: usize,
        port: u16,
    ) -> Result<Handle, Status> {
        let si = self.section(ctx, section).ok_or(Status::BadHandle)?;
        if length == 0 || rights == 0 || rights > access::ALL {
            return Err(Status::BadArgument);
        }
        let s = &self.sections[si as usize];
        if rights & !s.access != 0 {
            return Err(Status::AccessDenied);
        }
        let posted = grantee == usize::MAX;
        let grantee = if posted { ctx } else { grantee };
        if offset as u64 + length as u64 > s.length as u64 {
            return Err(Status::BadAddress);
        }
        let i = self.free_views.pop_front().ok_or(Status::NoResources)?;
        let v = &mut self.views[i as usize];
        *v = View {
            live: true,
            generation: v.generation,
            section: si,
            grantor: ctx,
            grantee,
            port,
            access: rights,
            offset,
            length,
            posted,
        };
        Ok(handle(i, v.generation))
    }

    /// POST_BUFFER, once the port checks passed: a receive buffer of
    /// `length` bytes of the context's own section for large messages
    /// arriving on port index `port` (a view entry the context grants
    /// itself, write access, marked posted).
    pub fn post_buffer(&mut self, ctx: usize, section: Handle, offset: u32, length: u32, port: u16) -> Result<Handle, Status> {
        self.create_view(ctx, section, offset, length, access::WRITE, usize::MAX, port)
    }

    /// A large message of `len` bytes arrives on port index `port`, owned
    /// by context `owner`: the lowest-numbered buffer that context posted
    /// there and that is large enough is used up (freed) and its record
    /// returned, with the message's length. (A buffer posted by another
    /// context on a port whose index was since reused is not a candidate.)
    pub fn take_posted(&mut self, port: u16, owner: usize, len: u32) -> Result<ViewRecord, Status> {
        let vi = (0..self.views.len())
            .find(|&i| {
                let v = &self.views[i];
                v.live && v.posted && v.port == port && v.grantee == owner && v.length >= len
            })
            .ok_or(Status::ReceiverBusy)? as u16;
        let v = self.views[vi as usize].clone();
        let record = ViewRecord {
            iova: self.sections[v.section as usize].base + v.offset as u64,
            length: len,
            handle: handle(vi, v.generation),
            access: access::WRITE,
        };
        self.free_view(vi);
        Ok(record)
    }

    /// VIEW_REVOKE: by its grantor (revoke) or its grantee (give up).
    pub fn revoke_view(&mut self, ctx: usize, h: Handle) -> Result<(), Status> {
        let vi = self.view(h, |v| v.grantor == ctx || v.grantee == ctx).ok_or(Status::BadHandle)?;
        self.free_view(vi);
        Ok(())
    }

    /// The IOVA of `[offset, offset + len)` of view `h`, for a COPY of
    /// context `ctx` that needs the `need` access bit.
    pub fn resolve(&self, ctx: usize, h: Handle, offset: u32, len: u32, need: u32) -> Result<u64, Status> {
        let vi = self.view(h, |v| v.grantee == ctx).ok_or(Status::BadHandle)?;
        let v = &self.views[vi as usize];
        if v.access & need == 0 {
            return Err(Status::AccessDenied);
        }
        if offset as u64 + len as u64 > v.length as u64 {
            return Err(Status::BadAddress);
        }
        Ok(self.sections[v.section as usize].base + v.offset as u64 + offset as u64)
    }

    /// A message of `len` payload bytes from `ctx` through port index
    /// `port` to context `to` carries view `h`: the record its receiver
    /// gets. The view must have been granted by `ctx` to `to` through that
    /// port (a port index reused for another connection does not carry
    /// views granted through the old one to someone else).
    pub fn attach(&self, ctx: usize, h: Handle, port: u16, to: usize, len: usize) -> Result<ViewRecord, Status> {
        if len > geometry::MAX_VIEW_MESSAGE as usize {
            return Err(Status::TooLarge);
        }
        let vi = self.view(h, |v| v.grantor == ctx && v.port == port && v.grantee == to).ok_or(Status::BadHandle)?;
        let v = &self.views[vi as usize];
        let s = &self.sections[v.section as usize];
        Ok(ViewRecord { iova: s.base + v.offset as u64, length: v.length, handle: h, access: v.access })
    }

    /// Context `ctx` died: every view it granted or was granted, then every
    /// section it owns, are freed (each in table order).
    pub fn teardown(&mut self, ctx: usize) {
        for vi in 0..self.views.len() as u16 {
            let v = &self.views[vi as usize];
            if v.live && (v.grantor == ctx || v.grantee == ctx) {
                self.free_view(vi);
            }
        }
        for si in 0..self.sections.len() as u16 {
            let s = &self.sections[si as usize];
            if s.live && s.owner == ctx {
                self.free_section(si);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_bound_sections() {
        let mut t = SectionTable::new(2);
        t.set_window(0, 0x1000, 0x1FFF);
        assert_eq!(t.create_section(0, 0x1000, 0x1000, 3).map(|h| h >> 16), Ok(1));
        assert_eq!(t.create_section(0, 0x1001, 0x1000, 3), Err(Status::BadAddress));
        assert_eq!(t.create_section(0, 0xFFF, 1, 3), Err(Status::BadAddress));
        assert_eq!(t.create_section(0, 0x1000, 0, 3), Err(Status::BadArgument));
        assert_eq!(t.create_section(0, 0x1000, 1, 4), Err(Status::BadArgument));
        assert_eq!(t.create_section(1, u64::MAX, 1, 1), Err(Status::BadAddress), "wraps");
        assert!(in_window((0, u64::MAX), u64::MAX - 1, 1) && !in_window((0, u64::MAX), u64::MAX, 1));
    }

    #[test]
    fn views_are_checked_on_every_use_and_die_with_their_section() {
        let mut t = SectionTable::new(3);
        let s = t.create_section(0, 0x10_0000, 0x1000, access::READ as u64).unwrap();
        assert_eq!(t.create_view(0, s, 0, 16, access::ALL, 1, 5), Err(Status::AccessDenied));
        assert_eq!(t.create_view(0, s, 0xFF0, 17, access::READ, 1, 5), Err(Status::BadAddress));
        assert_eq!(t.create_view(1, s, 0, 16, access::READ, 1, 5), Err(Status::BadHandle), "foreign section");
        let v = t.create_view(0, s, 0x100, 0x200, access::READ, 1, 5).unwrap();
        assert_eq!(t.resolve(1, v, 0x10, 0x20, access::READ), Ok(0x10_0110));
        assert_eq!(t.resolve(1, v, 0x1F0, 0x11, access::READ), Err(Status::BadAddress));
        assert_eq!(t.resolve(1, v, 0, 1, access::WRITE), Err(Status::AccessDenied));
        assert_eq!(t.resolve(2, v, 0, 1, access::READ), Err(Status::BadHandle), "not granted to it");
        assert_eq!(t.attach(0, v, 6, 1, 0).map(|r| r.handle), Err(Status::BadHandle), "another port");
        assert_eq!(t.attach(0, v, 5, 2, 0).map(|r| r.handle), Err(Status::BadHandle), "another receiver");
        assert_eq!(t.attach(0, v, 5, 1, 225).map(|r| r.handle), Err(Status::TooLarge));
        let r = t.attach(0, v, 5, 1, 224).unwrap();
        assert_eq!((r.iova, r.length, r.handle), (0x10_0100, 0x200, v));
        t.delete_section(0, s).unwrap();
        assert_eq!(t.resolve(1, v, 0, 1, access::READ), Err(Status::BadHandle), "revoked with its section");
        assert_eq!(t.delete_section(0, s), Err(Status::BadHandle), "stale");
        // Freed entries come back last, with a new generation.
        let s2 = t.create_section(0, 0x10_0000, 0x1000, access::ALL as u64).unwrap();
        assert_eq!(s2 & 0xFFFF, 1);
        let v2 = t.create_view(0, s2, 0, 8, access::WRITE, 1, 5).unwrap();
        t.teardown(1);
        assert_eq!(t.revoke_view(0, v2), Err(Status::BadHandle), "the grantee died");
        t.teardown(0);
        assert_eq!(t.delete_section(0, s2), Err(Status::BadHandle), "the owner died");
    }
}
