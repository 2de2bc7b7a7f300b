// Cross-simulator check: the emitted core under Icarus Verilog (an
// event-driven simulator, unlike Verilator), with a minimal AXI4 host
// memory. Configures context 0, submits one unaligned COPY and one NOP with
// one doorbell write, waits for both completions and checks them and the
// copied bytes. Prints PASS or FAIL: <reason>.
`timescale 1ns/1ps
module tb;
    reg clock = 0;
    reg rst = 1;
    always #4 clock = ~clock;

    // AXI4-Lite master (BAR0)
    reg [19:0] s_axil_awaddr = 0; reg s_axil_awvalid = 0; wire s_axil_awready;
    reg [31:0] s_axil_wdata = 0; reg [3:0] s_axil_wstrb = 4'hf; reg s_axil_wvalid = 0; wire s_axil_wready;
    wire [1:0] s_axil_bresp; wire s_axil_bvalid; reg s_axil_bready = 1;
    reg [19:0] s_axil_araddr = 0; reg s_axil_arvalid = 0; wire s_axil_arready;
    wire [31:0] s_axil_rdata; wire [1:0] s_axil_rresp; wire s_axil_rvalid; reg s_axil_rready = 1;
    // AXI4 slave (host memory)
    wire [3:0] m_axi_arid; wire [63:0] m_axi_araddr; wire [7:0] m_axi_arlen; wire [2:0] m_axi_arsize;
    wire [1:0] m_axi_arburst; wire m_axi_arvalid; reg m_axi_arready = 0;
    reg [3:0] m_axi_rid = 0; reg [127:0] m_axi_rdata = 0; reg [1:0] m_axi_rresp = 0; reg m_axi_rlast = 0;
    reg m_axi_rvalid = 0; wire m_axi_rready;
    wire [3:0] m_axi_awid; wire [63:0] m_axi_awaddr; wire [7:0] m_axi_awlen; wire [2:0] m_axi_awsize;
    wire [1:0] m_axi_awburst; wire m_axi_awvalid; reg m_axi_awready = 0;
    wire [127:0] m_axi_wdata; wire [15:0] m_axi_wstrb; wire m_axi_wlast; wire m_axi_wvalid; reg m_axi_wready = 0;
    reg [3:0] m_axi_bid = 0; reg [1:0] m_axi_bresp = 0; reg m_axi_bvalid = 0; wire m_axi_bready;
    wire [31:0] msi_irq;

    alpc_core dut(.*);

    // Host memory: 64 KiB of 16-byte beats at IOVA 0x1_0000_0000.
    localparam [63:0] BASE = 64'h1_0000_0000;
    reg [127:0] mem [0:4095];
    function automatic [11:0] beat_of(input [63:0] a); beat_of = a[15:4]; endfunction

    // One read burst and one write burst at a time: a legal, simple slave.
    reg rd_busy = 0; reg [63:0] rd_addr; reg [8:0] rd_left; reg [3:0] rd_id;
    reg wr_busy = 0; reg [63:0] wr_addr; reg [3:0] wr_id;
    integer k;
    always @(posedge clock) begin
        m_axi_arready <= !rd_busy;
        if (m_axi_arvalid && m_axi_arready) begin
            rd_busy <= 1; rd_addr <= m_axi_araddr; rd_left <= m_axi_arlen + 1; rd_id <= m_axi_arid;
            m_axi_arready <= 0;
        end
        if (m_axi_rvalid && m_axi_rready) begin
            m_axi_rvalid <= 0;
            if (m_axi_rlast) rd_busy <= 0;
        end else if (rd_busy && !m_axi_rvalid && rd_left != 0) begin
            m_axi_rvalid <= 1; m_axi_rdata <= mem[beat_of(rd_addr)]; m_axi_rid <= rd_id;
            m_axi_rlast <= (rd_left == 1); rd_addr <= rd_addr + 16; rd_left <= rd_left - 1;
        end
        m_axi_awready <= !wr_busy;
        if (m_axi_awvalid && m_axi_awready) begin
            wr_busy <= 1; wr_addr <= m_axi_awaddr; wr_id <= m_axi_awid; m_axi_awready <= 0;
        end
        m_axi_wready <= wr_busy && !m_axi_bvalid;
        if (m_axi_wvalid && m_axi_wready) begin
            for (k = 0; k < 16; k = k + 1)
                if (m_axi_wstrb[k]) mem[beat_of(wr_addr)][k*8 +: 8] <= m_axi_wdata[k*8 +: 8];
            wr_addr <= wr_addr + 16;
            if (m_axi_wlast) begin
                m_axi_wready <= 0; m_axi_bvalid <= 1; m_axi_bid <= wr_id;
            end
        end
        if (m_axi_bvalid && m_axi_bready) begin
            m_axi_bvalid <= 0; wr_busy <= 0;
        end
    end

    task bar_write(input [19:0] a, input [31:0] d);
        begin
            @(negedge clock);
            s_axil_awaddr = a; s_axil_wdata = d; s_axil_awvalid = 1; s_axil_wvalid = 1;
            @(posedge clock); while (!(s_axil_awready && s_axil_wready)) @(posedge clock);
            @(negedge clock); s_axil_awvalid = 0; s_axil_wvalid = 0;
            while (!s_axil_bvalid) @(posedge clock);
            if (s_axil_bresp != 0) begin $display("FAIL: BAR write %h answered %0d", a, s_axil_bresp); $finish; end
            @(posedge clock);
        end
    endtask

    task bar_read(input [19:0] a, output [31:0] d);
        begin
            @(negedge clock);
            s_axil_araddr = a; s_axil_arvalid = 1;
            @(posedge clock); while (!s_axil_arready) @(posedge clock);
            @(negedge clock); s_axil_arvalid = 0;
            while (!s_axil_rvalid) @(posedge clock);
            d = s_axil_rdata;
            @(posedge clock);
        end
    endtask

    reg [31:0] v;
    reg [31:0] word;
    reg [7:0] src_byte, dst_byte;
    integer i, cycles;
    initial begin
        for (i = 0; i < 4096; i = i + 1) mem[i] = 0;
        for (i = 0; i < 16; i = i + 1) begin // source at +0x2000
            word = 32'h01020304 * (i + 1) + 32'h00112233;
            mem[512 + i] = {word, ~word, word ^ 32'h5a5a5a5a, word + 32'd7};
        end
        // Descriptor 0 at +0x0000: COPY 100 bytes from +0x2005 to +0x3003, user 0x77.
        mem[0] = {32'h0, 32'h77, 32'd100, 16'h0, 8'h0, 8'h01};
        mem[1] = {BASE + 64'h3003, BASE + 64'h2005};
        // Descriptor 1 at +0x0040: NOP, user 0x88.
        mem[4] = {32'h0, 32'h88, 32'd0, 16'h0, 8'h0, 8'h00};
        // Descriptor 2 at +0x0080: CREATE_PORT name 0x55, max message 0, backlog 1, user 0x99.
        mem[8] = {32'h0, 32'h99, 32'd0, 16'h0, 8'h0, 8'h10};
        mem[9] = {64'h0001_0000, 32'h55, 32'h0};
        // Descriptor 3 at +0x00C0: CONNECT to name 0x55 (the context is its own client), user 0xAA.
        mem[12] = {32'h0, 32'hAA, 32'd0, 16'h0, 8'h0, 8'h11};
        mem[13] = {64'h0, 32'h55, 32'h0};
        repeat (8) @(posedge clock);
        rst = 0;
        // The engine clears its tables after reset; BAR works meanwhile.
        bar_read(20'h0, v);
        if (v != 32'h414C5043) begin $display("FAIL: ID reads %h", v); $finish; end
        bar_write(20'h8000, BASE[31:0]);            // SQ base
        bar_write(20'h8004, BASE[63:32]);
        bar_write(20'h8008, BASE[31:0] + 32'h1000); // CQ base
        bar_write(20'h800C, BASE[63:32]);
        bar_write(20'h8010, 32'h0303);              // 8-entry SQ and CQ
        bar_write(20'h8024, 32'h1234);              // identity
        bar_write(20'h8014, 32'h1);                 // enable, vector 0
        bar_write(20'h000C, 32'h1);                 // engine on
        bar_write(20'h10000, 32'd4);                // SQ tail: four descriptors, one doorbell
        cycles = 0;
        // Completions are 32 bytes: two words each, the phase in bit 120 of the second.
        while (!(mem[256 + 7][120] === 1'b1) && cycles < 20000) begin @(posedge clock); cycles = cycles + 1; end
        if (cycles >= 20000) begin $display("FAIL: no fourth completion"); $finish; end
        // Completion 0: user 0x77, result 100, sq_head 1, kind DONE, status OK, phase 1.
        if (mem[256][63:0] != 64'h77 || mem[257][63:32] != 100 || mem[257][95:80] != 1
            || mem[257][103:96] != 0 || mem[257][111:104] != 0 || mem[257][120] != 1) begin
            $display("FAIL: completion 0 is %h %h", mem[257], mem[256]); $finish;
        end
        if (mem[258][63:0] != 64'h88 || mem[259][95:80] != 2 || mem[259][111:104] != 0) begin
            $display("FAIL: completion 1 is %h %h", mem[259], mem[258]); $finish;
        end
        // Completion 2: CREATE_PORT's handle (generation 1, index 0).
        if (mem[260][63:0] != 64'h99 || mem[260][95:64] != 32'h0001_0000 || mem[261][111:96] != 16'h0000) begin
            $display("FAIL: completion 2 is %h %h", mem[261], mem[260]); $finish;
        end
        // Entry 3: the CONNECTION_REQUEST (kind 10) with the connection id and the verified identity.
        if (mem[262][95:64] != 32'h0001_0000 || mem[262][127:96] != 32'h0001_0001
            || mem[263][31:0] != 32'h1234 || mem[263][103:96] != 8'd10 || mem[263][111:104] != 0) begin
            $display("FAIL: entry 3 is %h %h", mem[263], mem[262]); $finish;
        end
        for (i = 0; i < 100; i = i + 1) begin
            src_byte = mem[512 + (5 + i) / 16][((5 + i) % 16) * 8 +: 8];
            dst_byte = mem[768 + (3 + i) / 16][((3 + i) % 16) * 8 +: 8];
            if (src_byte != dst_byte) begin $display("FAIL: byte %0d copied as %h, want %h", i, dst_byte, src_byte); $finish; end
        end
        if (mem[768][23:0] != 0 || mem[768 + 6][127:64] != 0) begin $display("FAIL: bytes outside the destination changed"); $finish; end
        $display("PASS after %0d cycles", cycles);
        $finish;
    end
endmodule
