// ULX3S (LFE5U-85F, CABGA381) top level of the ALPC core without PCIe.
//
// alpc_uart_soc (emitted from RustHDL: rtl/src/uart_soc.rs) is the core with
// a UARTBone bridge on the board's FTDI UART (115 200 baud) and 64 KiB of
// on-chip host memory. It runs on the 25 MHz oscillator directly: the core
// does not meet a faster clock on ECP5 yet (bitstreams/reports/).
//
// LEDs: 0 heartbeat (about 1.5 Hz), 1 a bridge access was refused (sticky),
// 2 an MSI was raised (sticky), 3 in reset. Button PWR (active low) resets.
module ulx3s_top (
    input  wire       clk_25mhz,
    input  wire       ftdi_txd,   // from the PC (the FTDI's TXD)
    output wire       ftdi_rxd,   // to the PC
    input  wire       btn_pwr_n,
    output wire [7:0] led
);
    // Power-on reset: the flip-flops start at 0 (global set/reset), so the
    // core is held in reset for 256 cycles after configuration.
    reg [8:0] por = 9'd0;
    always @(posedge clk_25mhz)
        if (!por[8]) por <= por + 9'd1;
    // The button, synchronised.
    reg [1:0] btn_sync = 2'b11;
    always @(posedge clk_25mhz) btn_sync <= {btn_sync[0], btn_pwr_n};
    wire rst = !por[8] || !btn_sync[1];

    wire [31:0] irq;
    wire bus_error;
    alpc_uart_soc soc (
        .clock(clk_25mhz),
        .rst(rst),
        .uart_rx(ftdi_txd),
        .uart_tx(ftdi_rxd),
        .irq(irq),
        .bus_error(bus_error)
    );

    reg [23:0] beat = 24'd0;
    reg irq_seen = 1'b0;
    always @(posedge clk_25mhz) begin
        beat <= beat + 24'd1;
        if (rst) irq_seen <= 1'b0;
        else if (|irq) irq_seen <= 1'b1;
    end
    assign led = {4'b0000, rst, irq_seen, bus_error, beat[23]};
endmodule
